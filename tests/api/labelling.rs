//! The verify answer says what the label must carry (issue 16), and the page shows it.

use crate::helpers::{spawn_app, Cast};

#[tokio::test]
async fn the_verdict_says_what_the_label_must_carry_per_basis() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let reply = app
        .get("/api/v1/public/verify/91441881MA4WTEA03K", None)
        .await;
    assert_eq!(reply.status, 200);
    let right = &reply.json["authorizations"][0];
    assert_eq!(right["basis"], "gi_product");
    let items: Vec<(&str, &str)> = right["label_must_carry"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["item"].as_str().expect("item"),
                i["value"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(items[0], ("uscc_in_mark", "91441881MA4WTEA03K"));
    assert_eq!(items[1], ("gi_name", "英德红茶"));
    assert_eq!(items[2].0, "standard_or_announcement");
    assert!(!items[2].1.is_empty());
    let page = app.get("/verify/91441881MA4WTEA03K", None).await;
    assert!(page.text.contains("标签应标注"));
    assert!(page.text.contains("data-item=\"uscc_in_mark\""));
}
