DELETE FROM settings WHERE key = 'change_review_working_days';
DROP TABLE enterprise_changes;
