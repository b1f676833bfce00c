use gi_registry::db::ConnectionManager;

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_200_when_the_database_answers() {
    let app = spawn_app().await;
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json["status"], "ok");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200);
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_stops_answering_and_healthz_still_200() {
    let app = spawn_app().await;
    app.db.break_it();
    // The pool opens connections of its own accord (it keeps one idle); one opened now must
    // fail rather than put an empty SQLite file where the deleted one was.
    assert!(
        r2d2::ManageConnection::connect(&ConnectionManager::new(app.db.target.clone())).is_err(),
        "a new connection reached a database that is gone"
    );
    app.get("/readyz", None).await.assert_problem(503);
    assert_eq!(app.get("/healthz", None).await.status, 200);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_swagger_ui_is_served() {
    let app = spawn_app().await;
    let doc = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let paths = doc.json["paths"].as_object().expect("paths");
    for path in [
        "/healthz",
        "/readyz",
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/password",
        "/api/v1/me",
        "/api/v1/admin/users",
        "/api/v1/admin/users/{id}",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc.json["components"]["securitySchemes"]["bearer"].is_object());

    let redirect = app.get("/docs", None).await;
    assert!(redirect.status.is_redirection());
    assert_eq!(redirect.headers["location"], "/docs/");
    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status, 200);
    assert!(ui.text.contains("swagger"), "Swagger UI page expected");
}
