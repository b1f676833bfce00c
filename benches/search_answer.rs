//! What one page of the public search costs to answer, beside the index lookup (which
//! `register_growth` measures): 20 `AuthorizedUser`s materialised from the register and
//! written as JSON, as `GET /api/v1/public/authorized-users` does.
//!
//!     cargo bench --bench search_answer
//!
//! Prints the cost per page and of one timestamp.

use chrono::{NaiveDate, TimeZone, Utc};
use gi_registry::domain::authorization::AuthorizationStatus;
use gi_registry::domain::eligibility::Basis;
use gi_registry::service::paging::Page;
use gi_registry::service::public::AuthorizedUser;
use std::time::Instant;

#[allow(clippy::unwrap_used)]
fn main() {
    let at = NaiveDate::from_ymd_opt(2025, 3, 4)
        .unwrap()
        .and_hms_micro_opt(9, 1, 2, 123456)
        .unwrap();
    let user = AuthorizedUser {
        enterprise_name: "英德市云岭积庆茶业有限公司".into(),
        uscc: "91441881MA4UXXXX1X".into(),
        town: "英城街道".into(),
        product_code: "yingde-black-tea".into(),
        product_name_zh: "英德红茶".into(),
        basis: Basis::GiProduct,
        registry_no: "YDGI-2025-000123".into(),
        announcement_no: "英市监公告〔2025〕12号".into(),
        announcement_date: "2025-03-04".into(),
        status: AuthorizationStatus::Active,
        status_since: Utc.from_utc_datetime(&at),
        granted_at: Utc.from_utc_datetime(&at),
    };
    let items: Vec<AuthorizedUser> = (0..20).map(|_| user.clone()).collect();
    // `cargo test --all-targets` runs this too, in a debug build: a smoke test there.
    let n = if std::env::args().any(|a| a == "--bench") {
        200_000
    } else {
        1_000
    };
    let t = Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        let page = Page {
            items: items.to_vec(),
            total: 1234,
            page: 1,
            per_page: 20,
        };
        bytes += std::hint::black_box(serde_json::to_string(&page).unwrap()).len();
    }
    println!(
        "clone+serialize page: {:.2} us, {} bytes",
        t.elapsed().as_secs_f64() * 1e6 / n as f64,
        bytes / n
    );
    let t = Instant::now();
    for _ in 0..n {
        let page: Vec<AuthorizedUser> = items.to_vec();
        std::hint::black_box(page);
    }
    println!(
        "clone only: {:.2} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n * 20 {
        std::hint::black_box(
            serde_json::to_string(&std::hint::black_box(user.status_since)).unwrap(),
        );
    }
    println!(
        "one datetime: {:.3} us",
        t.elapsed().as_secs_f64() * 1e6 / (n * 20) as f64
    );
}
