-- wrk script: sign in as a demo producer (argon2id verification on every request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"demo000001","password":"demo-password-2026"}'
