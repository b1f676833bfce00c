DELETE FROM settings WHERE key IN ('goal_target', 'goal_deadline', 'review_due_working_days',
    'usage_report_due_month_day');
DELETE FROM product_towns WHERE product_code IN ('yingde-black-tea', 'xiniu-bamboo-shoot');
DELETE FROM gi_products WHERE code IN ('yingde-black-tea', 'xiniu-bamboo-shoot');
DELETE FROM towns;
