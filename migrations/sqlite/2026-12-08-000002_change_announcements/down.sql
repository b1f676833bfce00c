ALTER TABLE enterprise_changes DROP COLUMN announcement_date;
ALTER TABLE enterprise_changes DROP COLUMN announcement_no;
