-- Issue 14: the office that runs the registry, shown in every page footer and on the guide.
-- Address, phone and e-mail are left for an admin to give (PUT /api/v1/admin/office): the
-- pages show only what is set. 12315 is the national market-regulation complaint line.
INSERT INTO settings (key, value, updated_at) VALUES
    ('office_name', '英德市市场监督管理局', '2026-12-03 00:00:00'),
    ('office_address', '', '2026-12-03 00:00:00'),
    ('office_phone', '', '2026-12-03 00:00:00'),
    ('office_hours', '周一至周五 8:30–12:00，14:30–17:30（法定节假日除外）', '2026-12-03 00:00:00'),
    ('office_email', '', '2026-12-03 00:00:00'),
    ('office_complaint_phone', '12315', '2026-12-03 00:00:00');
