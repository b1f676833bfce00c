//! `gi-registry demo-data`: plausible Yingde producers, applications in every state and
//! authorizations over the past 24 months, written through the same use-case code as the API
//! (registration, drafts, documents, workflow actions), so the journal is complete.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use super::accounts::{self, insert_producer, CreateStaffInput};
use super::applications::{apply_action, insert_draft, new_id, record_attachment, ActionInput};
use super::authorizations::act_in;
use super::usage::{file_report_in, UsageReportInput};
use super::{ServiceError, ServiceResult, ServiceState};
use crate::auth::password;
use crate::db::models::account::{EnterpriseRow, UserRow};
use crate::db::models::application::{ApplicationForm, AttachmentRow};
use crate::db::queries::{accounts as account_db, authorizations as authorization_db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::{AuthorizationAction, RevocationGround};
use crate::domain::eligibility::{AttachmentKind, Basis};
use crate::domain::roles::{Actor, Role};
use crate::domain::uscc::check_character;
use crate::domain::workflow::ApplicationAction;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-2026";
const BATCH: usize = 250;

/// A one-page PDF that every demo document points to.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

const WORDS: [&str; 32] = [
    "云岭", "积庆", "德高", "鸿丰", "茗香", "峰顶", "清泉", "瑞丰", "金毫", "红韵", "英州", "石门",
    "连江", "翠竹", "丰源", "绿野", "山水", "群峰", "碧溪", "嘉禾", "天湖", "银岭", "龙华", "福临",
    "宝晶", "顺昌", "恒泰", "兴农", "春来", "古道", "仙湖", "白石",
];

const TOWNS: [(&str, &str); 24] = [
    ("yingcheng", "英城街道"),
    ("shakou", "沙口镇"),
    ("wangbu", "望埠镇"),
    ("qiaotou", "桥头镇"),
    ("qingtang", "青塘镇"),
    ("baisha", "白沙镇"),
    ("dazhan", "大站镇"),
    ("xiniu", "西牛镇"),
    ("jiulong", "九龙镇"),
    ("hanguang", "浛洸镇"),
    ("dawan", "大湾镇"),
    ("shihuipu", "石灰铺镇"),
    ("shigutang", "石牯塘镇"),
    ("hengshitang", "横石塘镇"),
    ("hengshishui", "横石水镇"),
    ("lianjiangkou", "连江口镇"),
    ("boluo", "波罗镇"),
    ("dadong", "大洞镇"),
    ("lixi", "黎溪镇"),
    ("shuibian", "水边镇"),
    ("yinghong", "英红镇"),
    ("donghua", "东华镇"),
    ("huanghua", "黄花镇"),
    ("xiadai", "下太镇"),
];

/// Where an enterprise's application ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Draft,
    Submitted,
    UnderReview,
    Returned,
    NotAccepted,
    Recommended,
    Rejected,
    Withdrawn,
    Approved,
    Suspended,
    Revoked,
    Surrendered,
}

fn pick_outcome(rng: &mut StdRng) -> Outcome {
    // Shares in percent; most enterprises reach authorization, a few lose it again.
    let table = [
        (Outcome::Draft, 5),
        (Outcome::Submitted, 5),
        (Outcome::UnderReview, 7),
        (Outcome::Returned, 4),
        (Outcome::NotAccepted, 3),
        (Outcome::Recommended, 4),
        (Outcome::Rejected, 4),
        (Outcome::Withdrawn, 4),
        (Outcome::Approved, 58),
        (Outcome::Suspended, 3),
        (Outcome::Revoked, 2),
        (Outcome::Surrendered, 1),
    ];
    let mut roll = rng.gen_range(0..100);
    for (outcome, share) in table {
        if roll < share {
            return outcome;
        }
        roll -= share;
    }
    Outcome::Approved
}

/// A valid credit code, unique per index: `9` + kind + Yingde's area code + `MA` + index in
/// the code alphabet + check character.
fn demo_uscc(kind: char, index: usize) -> String {
    let alphabet: Vec<char> = crate::domain::uscc::ALPHABET.chars().collect();
    let mut digits = ['0'; 7];
    let mut n = index;
    for slot in digits.iter_mut().rev() {
        *slot = alphabet[n % 31];
        n /= 31;
    }
    let first17: String = format!("9{kind}441881MA{}", digits.iter().collect::<String>());
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

pub struct DemoSummary {
    pub enterprises: usize,
    pub authorizations: i64,
    pub staff: Vec<(String, Role)>,
}

/// Fills an empty database. `now` anchors the 24-month history.
pub async fn fill(
    state: &ServiceState,
    enterprises: usize,
    seed: u64,
) -> ServiceResult<DemoSummary> {
    let existing = state
        .run(|conn| Ok(account_db::count_enterprises(conn)?))
        .await?;
    if existing > 0 {
        return Err(ServiceError::conflict(
            format!("demo-data fills an empty database only; this one has {existing} enterprises"),
            format!("演示数据只能写入空数据库，当前已有{existing}家企业"),
        ));
    }
    let staff_names = [
        ("demo.reviewer", Role::Reviewer),
        ("demo.approver", Role::Approver),
        ("demo.approver2", Role::Approver),
    ];
    let mut staff = Vec::new();
    for (username, role) in staff_names {
        let input = CreateStaffInput {
            username: username.into(),
            password: DEMO_PASSWORD.into(),
            role,
            display_name: Some(username.into()),
        };
        let user = accounts::create_staff(state, None, input).await?;
        staff.push(Actor {
            user_id: user.id,
            role,
            enterprise_id: None,
        });
    }
    let password_hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))??;
    let document_hash = hex::encode(Sha256::digest(DEMO_PDF));
    let documents = state.documents.clone();
    let stored = document_hash.clone();
    tokio::task::spawn_blocking(move || documents.put(&stored, DEMO_PDF))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))??;

    let now = state.clock.now_naive();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut done = 0;
    while done < enterprises {
        let batch_end = (done + BATCH).min(enterprises);
        let plans: Vec<Plan> = (done..batch_end)
            .map(|i| plan(&mut rng, i, enterprises, now))
            .collect();
        let (staff, password_hash, document_hash) =
            (staff.clone(), password_hash.clone(), document_hash.clone());
        state
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    for plan in &plans {
                        play(conn, plan, &staff, &password_hash, &document_hash, now)?;
                    }
                    Ok(())
                })
            })
            .await?;
        done = batch_end;
        if done % 10_000 == 0 || done == enterprises {
            tracing::info!(done, enterprises, "demo enterprises written");
        }
    }
    // The demo's e-mail addresses are made up: its decisions' messages stay in the inbox and
    // are never sent.
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                crate::db::queries::notifications::give_up_unsent(
                    conn,
                    "demo data: made-up address, not sent",
                    now,
                )?;
                Ok::<_, ServiceError>(())
            })
        })
        .await?;
    let authorizations = state.run(|conn| Ok(authorization_db::count(conn)?)).await?;
    Ok(DemoSummary {
        enterprises,
        authorizations,
        staff: staff_names
            .iter()
            .map(|(n, r)| ((*n).to_owned(), *r))
            .collect(),
    })
}

struct Plan {
    index: usize,
    kind: char,
    name: String,
    town: (&'static str, &'static str),
    product: &'static str,
    basis: Basis,
    outcome: Outcome,
    start: NaiveDateTime,
    returned_once: bool,
    area_centimu: i64,
    output_kg: i64,
}

fn plan(rng: &mut StdRng, index: usize, total: usize, now: NaiveDateTime) -> Plan {
    let bamboo = rng.gen_bool(0.25);
    let town = if bamboo && rng.gen_bool(0.5) {
        TOWNS[7]
    } else {
        TOWNS[rng.gen_range(0..TOWNS.len())]
    };
    let (kind, suffix) = match rng.gen_range(0..10) {
        0..=5 => (
            '1',
            if bamboo {
                "笋业有限公司"
            } else {
                ["茶业有限公司", "茶叶有限公司", "生态茶园有限公司"][rng.gen_range(0..3)]
            },
        ),
        6..=7 => (
            '3',
            if bamboo {
                "竹笋专业合作社"
            } else {
                "茶叶专业合作社"
            },
        ),
        _ => ('2', if bamboo { "笋厂" } else { "茶厂" }),
    };
    let word = WORDS[rng.gen_range(0..WORDS.len())];
    let name = format!(
        "英德市{}{}{}",
        town.1.trim_end_matches(['镇', '街', '道']),
        word,
        suffix
    );
    // Spread the starts over the 24 months before now, leaving the last month for the review.
    let span_days = 700.0 * index as f64 / total.max(1) as f64;
    let start = now - Duration::days(730)
        + Duration::minutes((span_days * 1440.0) as i64 + rng.gen_range(0..2880));
    let certification = !bamboo && rng.gen_bool(0.1);
    Plan {
        index,
        kind,
        name,
        town,
        product: if bamboo {
            "xiniu-bamboo-shoot"
        } else {
            "yingde-black-tea"
        },
        basis: if certification {
            Basis::CertificationMark
        } else {
            Basis::GiProduct
        },
        outcome: pick_outcome(rng),
        start,
        returned_once: rng.gen_bool(0.2),
        area_centimu: rng.gen_range(500..50_000) * 10,
        output_kg: rng.gen_range(500..200_000),
    }
}

/// Writes one enterprise's story through the use-case code.
fn play(
    conn: &mut DbConnection,
    plan: &Plan,
    staff: &[Actor],
    password_hash: &str,
    document_hash: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (reviewer, approver, second_approver) = (&staff[0], &staff[1], &staff[2]);
    let at = |days: i64, hours: i64| plan.start + Duration::days(days) + Duration::hours(hours);
    let enterprise = EnterpriseRow {
        id: new_id(),
        uscc: demo_uscc(plan.kind, plan.index),
        name: plan.name.clone(),
        legal_representative: "示例法人".into(),
        address: format!(
            "英德市{}{}村{}号",
            plan.town.1,
            WORDS[plan.index % WORDS.len()],
            plan.index % 200 + 1
        ),
        town_code: plan.town.0.into(),
        contact_name: "示例联系人".into(),
        contact_phone: format!("1380763{:04}", plan.index % 10_000),
        email: format!("demo{}@example.cn", plan.index),
        uscc_exception_reason: None,
        created_at: plan.start,
        updated_at: plan.start,
    };
    let user = UserRow {
        id: new_id(),
        username: format!("demo{:06}", plan.index),
        password_hash: password_hash.into(),
        role: Role::Applicant.as_str().into(),
        display_name: enterprise.contact_name.clone(),
        enterprise_id: Some(enterprise.id.clone()),
        active: true,
        token_version: 1,
        created_at: plan.start,
        updated_at: plan.start,
        must_change_password: false,
    };
    let by = super::journal::EventActor::user(&user.id, Role::Applicant);
    insert_producer(conn, &enterprise, &user, &by, plan.start)?;
    let producer = Actor {
        user_id: user.id.clone(),
        role: Role::Applicant,
        enterprise_id: Some(enterprise.id.clone()),
    };

    let form = ApplicationForm {
        product_code: plan.product.into(),
        basis: plan.basis.as_str().into(),
        trademark_reg_no: plan
            .basis
            .is_trademark()
            .then(|| format!("第{:08}号", 30_000_000 + plan.index)),
        production_town: plan.town.0.into(),
        production_address: enterprise.address.clone(),
        area_centimu: Some(plan.area_centimu),
        annual_output_kg: Some(plan.output_kg),
        description: None,
    };
    let id = insert_draft(conn, &producer, enterprise.id.clone(), form, at(0, 1))?;
    let attach =
        |conn: &mut DbConnection, who: &Actor, kind: AttachmentKind, when: NaiveDateTime| {
            let row = AttachmentRow {
                id: new_id(),
                application_id: id.clone(),
                kind: kind.as_str().into(),
                filename: format!("{}.pdf", kind.label().zh),
                content_type: "application/pdf".into(),
                size_bytes: DEMO_PDF.len() as i64,
                sha256: document_hash.into(),
                uploaded_by: who.user_id.clone(),
                created_at: when,
            };
            record_attachment(conn, who, &row, when)
        };
    for kind in plan.basis.required_documents() {
        attach(conn, &producer, *kind, at(0, 2))?;
    }
    if plan.outcome == Outcome::Draft {
        return Ok(());
    }
    let act =
        |conn: &mut DbConnection,
         who: &Actor,
         action: ApplicationAction,
         input: ActionInput,
         when: NaiveDateTime| { apply_action(conn, who, &id, action, &input, when) };
    let comment = |text: &str| ActionInput {
        comment: Some(text.into()),
        ..Default::default()
    };
    let reason = |text: &str| ActionInput {
        reason: Some(text.into()),
        ..Default::default()
    };
    act(
        conn,
        &producer,
        ApplicationAction::Submit,
        ActionInput::default(),
        at(1, 0),
    )?;
    match plan.outcome {
        Outcome::Submitted => return Ok(()),
        Outcome::NotAccepted => {
            return act(
                conn,
                reviewer,
                ApplicationAction::Refuse,
                reason("不在地理标志产品保护范围内"),
                at(3, 0),
            )
        }
        Outcome::Withdrawn => {
            return act(
                conn,
                &producer,
                ApplicationAction::Withdraw,
                comment("暂缓申请"),
                at(2, 0),
            )
        }
        _ => {}
    }
    act(
        conn,
        reviewer,
        ApplicationAction::Accept,
        comment("材料齐全，予以受理"),
        at(3, 0),
    )?;
    if plan.returned_once || plan.outcome == Outcome::Returned {
        let input = ActionInput {
            comment: Some("请补正产品检验报告".into()),
            field_comments: Some(vec![super::applications::FieldCommentInput {
                field: "attachments.test_report".into(),
                comment: "检验报告已超过有效期".into(),
            }]),
            ..Default::default()
        };
        act(conn, reviewer, ApplicationAction::Return, input, at(8, 0))?;
        if plan.outcome == Outcome::Returned {
            return Ok(());
        }
        attach(conn, &producer, AttachmentKind::TestReport, at(11, 0))?;
        act(
            conn,
            &producer,
            ApplicationAction::Resubmit,
            comment("已补正"),
            at(12, 0),
        )?;
    }
    if plan.outcome == Outcome::UnderReview {
        return Ok(());
    }
    attach(
        conn,
        reviewer,
        AttachmentKind::OriginVerificationReport,
        at(15, 0),
    )?;
    if plan.outcome == Outcome::Rejected {
        return act(
            conn,
            approver,
            ApplicationAction::Reject,
            reason("产品检验不合格"),
            at(16, 0),
        );
    }
    act(
        conn,
        reviewer,
        ApplicationAction::Recommend,
        comment("产地核验合格，建议核准"),
        at(16, 0),
    )?;
    if plan.outcome == Outcome::Recommended {
        return Ok(());
    }
    let approve_at = at(25, 0);
    let approval = ActionInput {
        announcement_no: Some(format!(
            "英市监知〔{}〕{}号",
            approve_at.format("%Y"),
            plan.index + 1
        )),
        announcement_date: Some(approve_at.date()),
        comment: Some("准予使用地理标志专用标志".into()),
        ..Default::default()
    };
    let approver = if plan.index % 2 == 0 {
        approver
    } else {
        second_approver
    };
    act(
        conn,
        approver,
        ApplicationAction::Approve,
        approval,
        approve_at,
    )?;
    // Some rights are lost again later, but never after today.
    let later = approve_at + (now - approve_at) / 2;
    let authorization =
        authorization_db::by_application(conn, &id)?.ok_or(ServiceError::NotFound)?;
    // Most holders file their yearly usage report in February; a few forget, a few report
    // that they used no mark (which the watchlist then shows).
    for year in approve_at.year()..now.year() {
        let filed_at =
            NaiveDate::from_ymd_opt(year + 1, 2, 15).and_then(|d| d.and_hms_opt(10, 0, 0));
        let until = if plan.outcome == Outcome::Approved {
            now
        } else {
            later
        };
        let Some(filed_at) = filed_at.filter(|t| *t < until) else {
            continue;
        };
        if (plan.index + year as usize) % 9 == 0 {
            continue;
        }
        let marks_used = if (plan.index + year as usize) % 13 == 0 {
            0
        } else {
            plan.output_kg * 4
        };
        let input = UsageReportInput {
            year,
            marks_used,
            output_kg: plan.output_kg,
            sales_cny: plan.output_kg * 300,
            note: None,
        };
        file_report_in(conn, &producer, &authorization.id, &input, filed_at)?;
    }
    let right = |conn: &mut DbConnection,
                 who: &Actor,
                 action: AuthorizationAction,
                 reason: &str,
                 ground: Option<RevocationGround>| {
        act_in(
            conn,
            who,
            &authorization.id,
            action,
            Some(reason),
            ground,
            later,
        )
    };
    match plan.outcome {
        Outcome::Suspended => right(
            conn,
            reviewer,
            AuthorizationAction::Suspend,
            "抽检不符合标准，限期整改",
            None,
        ),
        Outcome::Revoked => right(
            conn,
            approver,
            AuthorizationAction::Revoke,
            "连续两年未使用专用标志",
            Some(RevocationGround::UnusedTwoYears),
        ),
        Outcome::Surrendered => right(
            conn,
            &producer,
            AuthorizationAction::Surrender,
            "企业停产",
            None,
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::uscc::Uscc;

    #[test]
    fn demo_credit_codes_are_valid_and_distinct() {
        let codes: std::collections::BTreeSet<String> = (0..5000)
            .map(|i| demo_uscc(['1', '2', '3'][i % 3], i))
            .collect();
        assert_eq!(codes.len(), 5000);
        assert!(
            codes.iter().all(|c| Uscc::parse(c).is_ok()),
            "every demo code passes the check"
        );
    }
}
