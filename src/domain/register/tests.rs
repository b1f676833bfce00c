use super::*;
use proptest::prelude::*;

fn at(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        + chrono::Duration::days(day as i64)
}

fn settings() -> GoalSettings {
    GoalSettings {
        target: 100,
        deadline: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
    }
}

const NAMES: [&str; 6] = [
    "英德市云岭茶业有限公司",
    "英德市红旗茶业",
    "西牛麻竹笋合作社",
    "云岭红茶厂",
    "Yingde Tea Co",
    "茶",
];

pub(super) fn facts(n: usize, enterprise: usize, day: u32) -> RightFacts {
    RightFacts {
        id: format!("right-{n}"),
        registry_no: format!("YDGI-2026-{:04}", n + 1),
        enterprise_id: format!("e{enterprise}"),
        enterprise_name: NAMES[enterprise % NAMES.len()].to_owned(),
        uscc: format!("9144188100000{enterprise:05}"),
        town_code: ["yinghong", "xiniu"][n % 2].to_owned(),
        product_code: ["yingde-black-tea", "xiniu-bamboo-shoots"][enterprise % 2].to_owned(),
        basis: Basis::GiProduct,
        announcement_no: "公告".into(),
        announcement_date: "2026-01-01".into(),
        granted_at: at(day),
        status: AuthorizationStatus::Active,
        status_since: at(day),
        trademark_reg_no: None,
    }
}

/// A history: rights granted, then status changes, as (event, supplied facts).
#[derive(Debug, Clone)]
enum Step {
    /// `back`: how many 11-day steps the grant is dated before its event (out of order).
    Grant {
        enterprise: usize,
        back: u32,
    },
    Change {
        right: usize,
        status: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..8, prop_oneof![3 => Just(0u32), 1 => 1u32..6])
            .prop_map(|(enterprise, back)| Step::Grant { enterprise, back }),
        (0usize..40, 0usize..4).prop_map(|(right, status)| Step::Change { right, status }),
    ]
}

/// Runs steps through `apply` and returns the register plus the stored rows and history a
/// rebuild would read.
fn replay(steps: &[Step]) -> (PublicRegister, Vec<RightFacts>, Vec<Replay>) {
    let mut register = PublicRegister::new(settings(), &[], 0);
    let mut stored: Vec<RightFacts> = Vec::new();
    let mut history = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let seq = i as i64 + 1;
        let day = i as u32 * 11;
        let (id, status, supplied) = match step {
            Step::Grant { enterprise, back } => {
                let f = facts(stored.len(), *enterprise, day.saturating_sub(back * 11));
                stored.push(f.clone());
                let id = f.id.clone();
                (
                    id.clone(),
                    AuthorizationStatus::Active,
                    HashMap::from([(id, f)]),
                )
            }
            Step::Change { right, status } => {
                if stored.is_empty() {
                    continue;
                }
                let index = right % stored.len();
                let r = &mut stored[index];
                let status = AuthorizationStatus::ALL[*status];
                r.status = status;
                r.status_since = at(day);
                (r.id.clone(), status, HashMap::new())
            }
        };
        let event = Event {
            seq,
            entity_type: "authorization",
            entity_id: &id,
            action: "x",
            from_status: None,
            to_status: Some(status.as_str()),
            at: at(day),
            data: None,
        };
        if let Some(Need::Right(needed)) = register.needs(&event) {
            assert!(supplied.contains_key(&needed));
        }
        register.apply(&event, &supplied).expect("applies");
        history.push(Replay::Status {
            seq,
            right_id: id,
            status,
            at: at(day),
        });
    }
    (register, stored, history)
}

fn answers(register: &PublicRegister, queries: &[&str]) -> Vec<(Vec<String>, u64)> {
    let mut out = Vec::new();
    for q in queries {
        for status in AuthorizationStatus::ALL {
            let search = Search {
                text: Some(q),
                status: Some(status),
                ..Default::default()
            };
            let (page, total) = register.search(&search, 0, 100);
            out.push((page.iter().map(|r| r.registry_no.clone()).collect(), total));
        }
    }
    out
}

const QUERIES: [&str; 9] = [
    "茶",
    "云岭",
    "茶业有限",
    "yingde",
    "YDGI-2026-00",
    "0000",
    "无此企业",
    "",
    "竹笋合",
];

proptest! {
    #[test]
    fn a_rebuild_answers_as_the_incremental_path(steps in proptest::collection::vec(step(), 0..60)) {
        let (incremental, stored, history) = replay(&steps);
        let rebuilt = PublicRegister::build(settings(), &[], incremental.applied_seq(), stored.clone(), &history);
        prop_assert_eq!(answers(&incremental, &QUERIES), answers(&rebuilt, &QUERIES));
        let today = NaiveDate::from_ymd_opt(2028, 1, 1).unwrap();
        prop_assert_eq!(incremental.goal(today), rebuilt.goal(today));
        let log = |r: &PublicRegister| r.changes_after(0, 1000).0.iter().map(|c| (c.seq, c.kind, c.right.id.clone(), c.status)).collect::<Vec<_>>();
        prop_assert_eq!(log(&incremental), log(&rebuilt));
        for r in &stored {
            for day in [0u32, 100, 300, 700] {
                prop_assert_eq!(incremental.status_before(r, at(day)), rebuilt.status_before(r, at(day)));
            }
        }
        for r in &stored {
            let a = incremental.holding(&r.uscc).map(|h| h.rights.iter().map(|x| (x.registry_no.clone(), x.status)).collect::<Vec<_>>());
            let b = rebuilt.holding(&r.uscc).map(|h| h.rights.iter().map(|x| (x.registry_no.clone(), x.status)).collect::<Vec<_>>());
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn search_equals_a_plain_substring_scan(steps in proptest::collection::vec(step(), 0..60), q in "[茶云岭红业有限公司YDGI0-9 -]{0,4}") {
        let (register, stored, _) = replay(&steps);
        let upper = q.trim().to_uppercase();
        for status in AuthorizationStatus::ALL {
            let mut expected: Vec<&RightFacts> = stored
                .iter()
                .filter(|r| r.status == status)
                .filter(|r| search_text(&r.enterprise_name, &r.uscc, &r.registry_no).contains(&upper))
                .collect();
            expected.sort_by(|a, b| b.order_key().cmp(&a.order_key()));
            let search = Search { text: Some(q.trim()), status: Some(status), ..Default::default() };
            let (page, total) = register.search(&search, 0, 1000);
            prop_assert_eq!(total as usize, expected.len());
            let got: Vec<&str> = page.iter().map(|r| r.registry_no.as_str()).collect();
            let want: Vec<&str> = expected.iter().map(|r| r.registry_no.as_str()).collect();
            prop_assert_eq!(got, want);
        }
    }
}

#[test]
fn the_counter_counts_enterprises_and_follows_suspensions_month_by_month() {
    let mut register = PublicRegister::new(settings(), &[], 0);
    let two = [facts(0, 1, 0), facts(1, 1, 40)];
    let supplied: HashMap<String, RightFacts> =
        two.iter().map(|f| (f.id.clone(), f.clone())).collect();
    let event = |seq, id: &'static str, to: &'static str, day| Event {
        seq,
        entity_type: "authorization",
        entity_id: id,
        action: "x",
        from_status: None,
        to_status: Some(to),
        at: at(day),
        data: None,
    };
    register
        .apply(&event(1, "right-0", "active", 0), &supplied)
        .unwrap();
    register
        .apply(&event(2, "right-1", "active", 40), &supplied)
        .unwrap();
    assert_eq!(
        register.authorized_enterprises(),
        1,
        "one enterprise, two rights"
    );
    register
        .apply(&event(3, "right-0", "suspended", 70), &supplied)
        .unwrap();
    assert_eq!(register.authorized_enterprises(), 1);
    register
        .apply(&event(4, "right-1", "revoked", 100), &supplied)
        .unwrap();
    assert_eq!(register.authorized_enterprises(), 0);
    let goal = register.goal(NaiveDate::from_ymd_opt(2026, 5, 15).unwrap());
    assert_eq!(
        goal.monthly,
        vec![
            ("2026-01".to_owned(), 1),
            ("2026-02".to_owned(), 1),
            ("2026-03".to_owned(), 1),
            ("2026-04".to_owned(), 0),
            ("2026-05".to_owned(), 0),
        ]
    );
    assert_eq!(
        register.apply(&event(2, "right-1", "active", 1), &supplied),
        Err(ApplyError::OutOfOrder { seq: 2, applied: 4 })
    );
    let missing = register.apply(&event(5, "right-9", "active", 101), &supplied);
    assert!(matches!(missing, Err(ApplyError::MissingFacts { .. })));
}

#[test]
fn a_remembered_long_query_follows_new_rights_and_statuses() {
    let mut register = PublicRegister::new(settings(), &[], 0);
    let mut seq = 0;
    let mut grant = |register: &mut PublicRegister, f: RightFacts, to: &'static str| {
        seq += 1;
        let supplied = HashMap::from([(f.id.clone(), f.clone())]);
        let event = Event {
            seq,
            entity_type: "authorization",
            entity_id: &f.id,
            action: "x",
            from_status: None,
            to_status: Some(to),
            at: f.granted_at,
            data: None,
        };
        register.apply(&event, &supplied).unwrap();
    };
    let query = Search {
        text: Some("YDGI-2026-"),
        status: Some(AuthorizationStatus::Active),
        ..Default::default()
    };
    grant(&mut register, facts(0, 1, 1), "active");
    assert_eq!(register.search(&query, 0, 10).1, 1);
    assert_eq!(register.search(&query, 0, 10).1, 1, "from the memo");
    grant(&mut register, facts(1, 2, 2), "active");
    assert_eq!(register.search(&query, 0, 10).1, 2, "a new right is found");
    grant(&mut register, facts(1, 2, 3), "suspended");
    assert_eq!(
        register.search(&query, 0, 10).1,
        1,
        "a status change is seen"
    );
}

#[test]
fn a_grant_older_than_the_newest_takes_its_place_in_the_order() {
    let mut register = PublicRegister::new(settings(), &[], 0);
    let late = facts(0, 1, 50);
    let early = facts(1, 2, 10);
    for (seq, f) in [(1, &late), (2, &early)] {
        let supplied = HashMap::from([(f.id.clone(), f.clone())]);
        let event = Event {
            seq,
            entity_type: "authorization",
            entity_id: &f.id,
            action: "grant",
            from_status: None,
            to_status: Some("active"),
            at: f.granted_at,
            data: None,
        };
        register.apply(&event, &supplied).unwrap();
    }
    let (page, total) = register.search(&Search::default(), 0, 10);
    assert_eq!(total, 2);
    assert_eq!(page[0].id, late.id, "newest grant first");
    assert_eq!(
        register.holding(&early.uscc).unwrap().rights[0].id,
        early.id
    );
}

#[test]
fn the_change_log_pages_between_events_and_answers_a_past_status() {
    let mut register = PublicRegister::new(settings(), &[], 0);
    let right = facts(0, 1, 1);
    let supplied = HashMap::from([(right.id.clone(), right.clone())]);
    for (seq, to, day) in [
        (1, "active", 1),
        (2, "suspended", 10),
        (3, "active", 20),
        (4, "revoked", 30),
    ] {
        let event = Event {
            seq,
            entity_type: "authorization",
            entity_id: &right.id,
            action: "x",
            from_status: None,
            to_status: Some(to),
            at: at(day),
            data: None,
        };
        register.apply(&event, &supplied).unwrap();
    }
    let kinds: Vec<ChangeKind> = register
        .changes_after(0, 10)
        .0
        .iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Granted,
            ChangeKind::Suspended,
            ChangeKind::Reinstated,
            ChangeKind::Revoked
        ]
    );
    let (page, next) = register.changes_after(1, 2);
    assert_eq!((page.len(), next), (2, 3));
    let (rest, next) = register.changes_after(4, 2);
    assert!(rest.is_empty());
    assert_eq!(next, 4, "where the register is");
    use AuthorizationStatus as S;
    let held = register.holding(&right.uscc).unwrap().rights[0].clone();
    assert_eq!(
        register.status_before(&held, at(1)),
        None,
        "not yet granted"
    );
    assert_eq!(register.status_before(&held, at(2)), Some(S::Active));
    assert_eq!(register.status_before(&held, at(15)), Some(S::Suspended));
    assert_eq!(register.status_before(&held, at(25)), Some(S::Active));
    assert_eq!(register.status_before(&held, at(31)), Some(S::Revoked));
}
