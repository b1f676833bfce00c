DELETE FROM settings WHERE key IN ('office_name', 'office_address', 'office_phone', 'office_hours',
    'office_email', 'office_complaint_phone');
