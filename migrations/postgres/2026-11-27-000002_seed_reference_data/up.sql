-- Reference data from shared/data: the 24 towns of Yingde and the two seeded GI products.
INSERT INTO towns (code, name_zh, name_en, kind, sort_order) VALUES
    ('yingcheng', '英城街道', 'Yingcheng', 'subdistrict', 1),
    ('shakou', '沙口镇', 'Shakou', 'town', 2),
    ('wangbu', '望埠镇', 'Wangbu', 'town', 3),
    ('qiaotou', '桥头镇', 'Qiaotou', 'town', 4),
    ('qingtang', '青塘镇', 'Qingtang', 'town', 5),
    ('baisha', '白沙镇', 'Baisha', 'town', 6),
    ('dazhan', '大站镇', 'Dazhan', 'town', 7),
    ('xiniu', '西牛镇', 'Xiniu', 'town', 8),
    ('jiulong', '九龙镇', 'Jiulong', 'town', 9),
    ('hanguang', '浛洸镇', 'Hanguang', 'town', 10),
    ('dawan', '大湾镇', 'Dawan', 'town', 11),
    ('shihuipu', '石灰铺镇', 'Shihuipu', 'town', 12),
    ('shigutang', '石牯塘镇', 'Shigutang', 'town', 13),
    ('hengshitang', '横石塘镇', 'Hengshitang', 'town', 14),
    ('hengshishui', '横石水镇', 'Hengshishui', 'town', 15),
    ('lianjiangkou', '连江口镇', 'Lianjiangkou', 'town', 16),
    ('boluo', '波罗镇', 'Boluo', 'town', 17),
    ('dadong', '大洞镇', 'Dadong', 'town', 18),
    ('lixi', '黎溪镇', 'Lixi', 'town', 19),
    ('shuibian', '水边镇', 'Shuibian', 'town', 20),
    ('yinghong', '英红镇', 'Yinghong', 'town', 21),
    ('donghua', '东华镇', 'Donghua', 'town', 22),
    ('huanghua', '黄花镇', 'Huanghua', 'town', 23),
    ('xiadai', '下太镇', 'Xiadai', 'town', 24);

INSERT INTO gi_products (code, name_zh, name_en, category, legal_basis, protection_announcement,
    protection_date, protected_area, standard_code, certification_mark_reg_no, active, created_at, updated_at)
VALUES
    ('yingde-black-tea', '英德红茶', 'Yingde Black Tea', 'tea', 'gi_product',
     '原质检总局公告2006年第225号', '2006-12-31',
     '英东、英中、英西北、英西南四大茶区（东经112°45′–113°55′，北纬23°50′–24°33′），即英德市所辖各镇（街道）',
     NULL, NULL, TRUE, '2026-11-27 00:00:00', '2026-11-27 00:00:00'),
    ('xiniu-bamboo-shoot', '西牛麻竹笋', 'Xiniu Ma Bamboo Shoots', 'vegetable', 'gi_product',
     '地理标志产品保护', NULL,
     '英德市行政区域', NULL, NULL, TRUE, '2026-11-27 00:00:00', '2026-11-27 00:00:00');

INSERT INTO product_towns (product_code, town_code)
SELECT 'yingde-black-tea', code FROM towns;
INSERT INTO product_towns (product_code, town_code)
SELECT 'xiniu-bamboo-shoot', code FROM towns;

INSERT INTO settings (key, value, updated_at) VALUES
    ('goal_target', '100', '2026-11-27 00:00:00'),
    ('goal_deadline', '2027-12-31', '2026-11-27 00:00:00'),
    ('review_due_working_days', '10', '2026-11-27 00:00:00'),
    ('usage_report_due_month_day', '03-31', '2026-11-27 00:00:00');
