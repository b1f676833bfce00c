//! How the public register grows: build time, memory and search latency of the in-memory
//! register (src/domain/register) at 10,000, 100,000 and 1,000,000 rights, built from
//! synthetic facts in process (no database: demo data at a million enterprises takes hours on
//! this machine, and the database read is measured by `benches/register.sh`).
//!
//!     cargo bench --bench register_growth            # 10k, 100k, 1M
//!     cargo bench --bench register_growth -- 10000   # one size
//!     target/release/deps/register_growth-* --bench   # after cargo build --release --bench register_growth
//!
//! Names are drawn from a wider alphabet than the demo data's so the index meets more distinct
//! keys than Yingde's names would give it. Prints one Markdown table.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use gi_registry::domain::authorization::AuthorizationStatus;
use gi_registry::domain::eligibility::Basis;
use gi_registry::domain::register::{GoalSettings, PublicRegister, Replay, RightFacts, Search};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NAME_CHARS: &str = "英德云岭积庆高鸿丰茗香峰顶清泉瑞金毫红韵州石门连江翠竹源绿野山水群碧溪嘉禾天湖银龙华福临宝晶顺昌恒泰兴农春来古道仙白沙口望埠桥头青塘浛洸大站横石水西牛黄花九龙连";
const SUFFIXES: [&str; 6] = [
    "茶业有限公司",
    "茶叶有限公司",
    "生态茶园有限公司",
    "笋业有限公司",
    "茶叶专业合作社",
    "茶厂",
];
const TOWNS: [&str; 8] = [
    "yingcheng",
    "shakou",
    "wangbu",
    "qiaotou",
    "qingtang",
    "baisha",
    "xiniu",
    "huanghua",
];

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn synthetic_rights(n: usize, rng: &mut StdRng) -> Vec<RightFacts> {
    let chars: Vec<char> = NAME_CHARS.chars().collect();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid date");
    (0..n)
        .map(|i| {
            let word: String = (0..2)
                .map(|_| chars[rng.gen_range(0..chars.len())])
                .collect();
            let granted_at = start + chrono::Duration::minutes((i as i64) * 3);
            RightFacts {
                id: format!("right-{i:08}"),
                registry_no: format!("YDGI-{}-{:06}", 2024 + i / 400_000, i % 1_000_000),
                enterprise_id: format!("enterprise-{i:08}"),
                enterprise_name: format!(
                    "英德市{word}{}",
                    SUFFIXES[rng.gen_range(0..SUFFIXES.len())]
                ),
                uscc: format!("91441881MA{i:07}X"),
                town_code: TOWNS[rng.gen_range(0..TOWNS.len())].to_owned(),
                product_code: if rng.gen_bool(0.25) {
                    "xiniu-bamboo-shoots"
                } else {
                    "yingde-black-tea"
                }
                .to_owned(),
                basis: Basis::GiProduct,
                announcement_no: format!("YD-{}", i / 100),
                announcement_date: "2024-01-01".to_owned(),
                granted_at,
                status: AuthorizationStatus::Active,
                status_since: granted_at,
                trademark_reg_no: None,
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary too, without
    // it, and then a small size only checks that it works (a million rights in a debug build
    // take a quarter of an hour).
    let measuring = args.iter().any(|a| a == "--bench");
    let sizes: Vec<usize> = match args.iter().find_map(|a| a.parse().ok()) {
        Some(n) => vec![n],
        None if measuring => vec![10_000, 100_000, 1_000_000],
        None => vec![1_000],
    };
    let settings = GoalSettings {
        target: 100,
        deadline: NaiveDate::from_ymd_opt(2027, 12, 31).expect("a valid date"),
    };
    println!("| rights | build ms | register (approx.) MB | RSS growth MB | search p50 ms | search p99 ms | verify p99 µs |");
    println!("|---|---|---|---|---|---|---|");
    for n in sizes {
        let mut rng = StdRng::seed_from_u64(12);
        let before = rss_kb();
        let rights = synthetic_rights(n, &mut rng);
        let codes: Vec<String> = rights.iter().map(|r| r.uscc.clone()).collect();
        let names: Vec<String> = rights.iter().map(|r| r.enterprise_name.clone()).collect();
        let history: Vec<Replay> = rights
            .iter()
            .enumerate()
            .map(|(i, r)| Replay::Status {
                seq: i as i64 + 1,
                right_id: r.id.clone(),
                status: r.status,
                at: r.granted_at,
            })
            .collect();
        let started = Instant::now();
        let register = PublicRegister::build(settings, &[], 0, rights, &history);
        let build = started.elapsed();
        drop(history);
        let grown = rss_kb().saturating_sub(before);

        // Queries as the public types them: one or two characters of a name, a word with no
        // match, a registry-number prefix; each answers a page of 20 with the exact total.
        let mut searches = Vec::with_capacity(2000);
        for i in 0..2000 {
            let name: Vec<char> = names[rng.gen_range(0..names.len())].chars().collect();
            let query: String = match i % 4 {
                0 => name[3..4].iter().collect(),
                1 => name[3..5].iter().collect(),
                2 => "无此企业".to_owned(),
                _ => format!("YDGI-{}", 2024 + rng.gen_range(0..3)),
            };
            let t = Instant::now();
            let (page, total) = register.search(
                &Search {
                    text: Some(&query),
                    ..Search::default()
                },
                0,
                20,
            );
            std::hint::black_box((page.len(), total));
            searches.push(t.elapsed());
        }
        searches.sort();
        let mut verifies = Vec::with_capacity(10_000);
        for _ in 0..10_000 {
            let code = &codes[rng.gen_range(0..codes.len())];
            let t = Instant::now();
            std::hint::black_box(register.holding(code).map(|h| h.rights.len()));
            verifies.push(t.elapsed());
        }
        verifies.sort();
        println!(
            "| {n} | {} | {:.1} | {:.1} | {:.3} | {:.3} | {:.1} |",
            build.as_millis(),
            register.approximate_bytes() as f64 / 1_048_576.0,
            grown as f64 / 1024.0,
            percentile(&searches, 0.5),
            percentile(&searches, 0.99),
            percentile(&verifies, 0.99) * 1000.0,
        );
        drop(register);
    }
}
