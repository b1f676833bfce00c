-- Issue 14: the application as the reviewer returned it (form fields and documents, JSON),
-- written with the return, so the reviewer of the resubmission sees what changed.
-- NULL for returns made before this column existed.
ALTER TABLE review_opinions ADD COLUMN snapshot TEXT;
