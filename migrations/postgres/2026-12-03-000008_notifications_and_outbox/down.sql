DROP TABLE usage_reminders;
DROP TABLE outbox;
DROP TABLE notifications;
