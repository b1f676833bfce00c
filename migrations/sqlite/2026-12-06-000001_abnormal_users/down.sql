DROP TABLE abnormal_users;
