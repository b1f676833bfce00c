-- Issue 15: an approved change of a holder's details (变更) may name the announcement that
-- publishes it (staff give both when approving, or neither), as a grant names its approval
-- announcement; the public announcements list it beside the rights granted.
ALTER TABLE enterprise_changes ADD COLUMN announcement_no TEXT;
ALTER TABLE enterprise_changes ADD COLUMN announcement_date TEXT;
