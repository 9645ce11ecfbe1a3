//! The reminders due on a day, from a handful of set-based reads (never one query per person), and the
//! letters that say them.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use super::letter::{Item, Letter, date};
use super::{Context, Rule};
use crate::entities::{enrollment, programme_assignment as pa, unit, unit_contact, user};
use crate::learning::enrollment::{children, descendants};
use crate::mail::Outgoing;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Assigned,
    /// A next cycle opened before a completion expires.
    Renewal,
    DueSoon,
    /// Overdue for `n` days.
    Overdue(i64),
    Expiring,
    /// To a unit's contact: the overdue people of the unit and its sub-units.
    Digest,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assigned => "assigned",
            Kind::Renewal => "renewal",
            Kind::DueSoon => "due_soon",
            Kind::Overdue(_) => "overdue",
            Kind::Expiring => "expiring",
            Kind::Digest => "digest",
        }
    }
}

/// One reminder due: to the person of a cycle, or for a digest to a unit's contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub key: String,
    pub kind: Kind,
    /// The cycle (`programme_assignments.id`), or for a digest the unit.
    subject: i64,
}

#[derive(Debug, FromQueryResult)]
struct Person {
    id: i64,
    username: String,
    full_name: String,
    email: Option<String>,
    unit_id: Option<i64>,
}

/// A person's latest cycle of a programme, and the validity of the completed cycle before it, if any.
struct Latest {
    cycle: pa::Model,
    held_until: Option<NaiveDate>,
}

pub(super) struct World {
    latest: HashMap<i64, Latest>,
    people: HashMap<i64, Person>,
    /// (person, course) pairs completed, for the courses still to do.
    completed: HashSet<(i64, String)>,
    units: HashMap<i64, unit::Model>,
    children: HashMap<i64, Vec<i64>>,
    /// Unit → its contact person.
    contacts: Vec<(i64, i64)>,
    /// The open latest cycles past due on the day asked about (ids), by person: read once for every digest.
    overdue: Vec<i64>,
}

impl World {
    /// Everything the reminders of `rules` due on `as_of` need.
    pub async fn load(db: &impl ConnectionTrait, rules: &[Rule], as_of: NaiveDate) -> Result<World, DbErr> {
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let cycles = pa::Entity::find()
            .filter(pa::Column::ProgrammeId.is_in(ids))
            .filter(pa::Column::WithdrawnOn.is_null())
            .order_by_asc(pa::Column::UserId)
            .order_by_asc(pa::Column::ProgrammeId)
            .order_by_asc(pa::Column::Cycle)
            .all(db)
            .await?;
        let mut latest: HashMap<(i64, String), Latest> = HashMap::new();
        for cycle in cycles {
            let key = (cycle.user_id, cycle.programme_id.clone());
            let held_until = latest.get(&key).and_then(|l| l.cycle.completed_on.and(l.cycle.valid_until));
            latest.insert(key, Latest { cycle, held_until });
        }
        let people: Vec<Person> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::Username, user::Column::FullName, user::Column::Email])
            .column(user::Column::UnitId)
            .filter(user::Column::Active.eq(true))
            .into_model::<Person>()
            .all(db)
            .await?;
        let courses: HashSet<&str> =
            rules.iter().flat_map(|r| r.courses.iter().map(String::as_str)).collect();
        let completed: Vec<(i64, String)> = enrollment::Entity::find()
            .select_only()
            .column(enrollment::Column::UserId)
            .column(enrollment::Column::CourseId)
            .filter(enrollment::Column::CourseId.is_in(courses))
            .filter(enrollment::Column::CompletedAt.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        let contacts: Vec<(i64, i64)> = unit_contact::Entity::find()
            .select_only()
            .column(unit_contact::Column::UnitId)
            .column(unit_contact::Column::UserId)
            .into_tuple()
            .all(db)
            .await?;
        let mut world = World {
            latest: latest.into_values().map(|l| (l.cycle.id, l)).collect(),
            people: people.into_iter().map(|p| (p.id, p)).collect(),
            completed: completed.into_iter().collect(),
            units: unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u)).collect(),
            children: children(db).await?,
            contacts,
            overdue: Vec::new(),
        };
        world.overdue = world.overdue_on(as_of);
        Ok(world)
    }

    /// The open latest cycles of active people past due on `as_of`, by name then programme.
    fn overdue_on(&self, as_of: NaiveDate) -> Vec<i64> {
        let mut late: Vec<(&Person, &pa::Model)> = self
            .latest
            .values()
            .filter(|l| l.cycle.completed_on.is_none() && l.cycle.due_on < as_of)
            .filter_map(|l| self.people.get(&l.cycle.user_id).map(|p| (p, &l.cycle)))
            .collect();
        late.sort_by(|a, b| {
            (&a.0.full_name, &a.0.username, &a.1.programme_id).cmp(&(
                &b.0.full_name,
                &b.0.username,
                &b.1.programme_id,
            ))
        });
        late.into_iter().map(|(_, c)| c.id).collect()
    }

    /// Every reminder due on `as_of`, queued before or not, in a stable order.
    pub fn reminders(&self, rules: &[Rule], as_of: NaiveDate) -> Vec<Reminder> {
        let live: HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let mut due = Vec::new();
        for (&id, latest) in &self.latest {
            let c = &latest.cycle;
            if !self.people.contains_key(&c.user_id) || !live.contains(c.programme_id.as_str()) {
                continue;
            }
            let mut push = |kind: Kind, key: String| due.push(Reminder { key, kind, subject: id });
            match (c.completed_on, c.valid_until) {
                (None, _) if as_of <= c.due_on => {
                    // In the last week, "due soon" says all "assigned" would: one letter, not two at once.
                    let last_week =
                        (c.due_on - as_of).num_days() < 7 && (c.due_on - c.assigned_on).num_days() > 7;
                    if last_week {
                        push(Kind::DueSoon, format!("due_soon:{id}"));
                    } else {
                        let kind = if latest.held_until.is_some() { Kind::Renewal } else { Kind::Assigned };
                        push(kind, format!("assigned:{id}"));
                    }
                }
                (None, _) => {
                    let late = (as_of - c.due_on).num_days();
                    push(Kind::Overdue(late), format!("overdue:{id}:{}", (late - 1) / 7));
                }
                (Some(_), Some(until)) if as_of < until && (until - as_of).num_days() <= 30 => {
                    push(Kind::Expiring, format!("expiring:{id}"));
                }
                (Some(_), _) => {}
            }
        }
        let week = as_of.iso_week();
        for &(unit_id, contact) in &self.contacts {
            if self.people.contains_key(&contact) && !self.overdue_in(unit_id).is_empty() {
                due.push(Reminder {
                    key: format!("digest:{unit_id}:{}-W{:02}", week.year(), week.week()),
                    kind: Kind::Digest,
                    subject: unit_id,
                });
            }
        }
        due.sort_by(|a, b| a.key.cmp(&b.key));
        due
    }

    /// The overdue cycles (of the day asked about) of the people in `unit_id` and its sub-units, by name.
    fn overdue_in(&self, unit_id: i64) -> Vec<(&Person, &pa::Model)> {
        let units = descendants(&self.children, unit_id);
        self.overdue
            .iter()
            .filter_map(|id| self.latest.get(id))
            .filter_map(|l| self.people.get(&l.cycle.user_id).map(|p| (p, &l.cycle)))
            .filter(|(p, _)| p.unit_id.is_some_and(|u| units.contains(&u)))
            .collect()
    }

    /// The letter for `reminder`; none when its recipient has no e-mail address.
    pub fn message(&self, reminder: &Reminder, context: &Context<'_>, as_of: NaiveDate) -> Option<Outgoing> {
        let (person, subject, letter) = if reminder.kind == Kind::Digest {
            let contact = self.contacts.iter().find(|(u, _)| *u == reminder.subject)?.1;
            let person = self.people.get(&contact)?;
            let (subject, letter) = self.digest(person, reminder.subject, context, as_of);
            (person, subject, letter)
        } else {
            let latest = self.latest.get(&reminder.subject)?;
            let person = self.people.get(&latest.cycle.user_id)?;
            let rule = context.rules.iter().find(|r| r.id == latest.cycle.programme_id)?;
            let (subject, letter) = self.letter(reminder.kind, person, latest, rule, context);
            (person, subject, letter)
        };
        let address = person.email.as_deref().map(str::trim).filter(|a| !a.is_empty())?;
        Some(Outgoing {
            dedup_key: reminder.key.clone(),
            kind: reminder.kind.as_str().into(),
            user_id: Some(person.id),
            to_address: address.into(),
            to_name: person.full_name.clone(),
            subject,
            body_text: letter.text(),
            body_html: letter.html(),
        })
    }

    fn letter(
        &self,
        kind: Kind,
        person: &Person,
        latest: &Latest,
        rule: &Rule,
        context: &Context<'_>,
    ) -> (String, Letter) {
        let c = &latest.cycle;
        let title = &rule.title;
        let due = date(c.due_on);
        let renewing = latest.held_until.is_some();
        // A renewal is completed by passing the quizzes again, so every course is listed; otherwise those left.
        let courses = self.courses(rule, context, (!renewing).then_some(person.id));
        let me = format!("{}/me", context.site_url);
        let letter = Letter::to(&person.full_name);
        match kind {
            Kind::Assigned => (
                format!("Chương trình bồi dưỡng mới: {title}, hạn hoàn thành {due}"),
                letter
                    .paragraph(format!("Anh/Chị được giao chương trình bồi dưỡng \"{title}\". Xin vui lòng hoàn thành các khoá học sau trước hết ngày {due}:"))
                    .list(courses)
                    .paragraph(format!("Tiến độ của Anh/Chị: {me}")),
            ),
            Kind::Renewal => {
                let until = latest.held_until.map(date).unwrap_or_default();
                (
                    format!("Đến kỳ bồi dưỡng lại: {title}, hạn {due}"),
                    letter
                        .paragraph(format!("Kết quả hoàn thành chương trình \"{title}\" của Anh/Chị có hiệu lực đến ngày {until}. Để duy trì, xin vui lòng làm lại bài kiểm tra cuối khoá của các khoá học sau trước hết ngày {due}; các bài học đã đọc vẫn được giữ nguyên:"))
                        .list(courses)
                        .paragraph(format!("Tiến độ của Anh/Chị: {me}")),
                )
            }
            Kind::DueSoon => (
                format!("Sắp đến hạn: {title}, hạn {due}"),
                letter
                    .paragraph(format!("Chương trình bồi dưỡng \"{title}\" của Anh/Chị sẽ đến hạn vào ngày {due}. Các khoá học còn lại:"))
                    .list(courses)
                    .paragraph(format!("Tiến độ của Anh/Chị: {me}")),
            ),
            Kind::Overdue(days) => (
                format!("Quá hạn: {title} (hạn {due})"),
                letter
                    .paragraph(format!("Chương trình bồi dưỡng \"{title}\" của Anh/Chị đã quá hạn {days} ngày (hạn {due}). Xin vui lòng hoàn thành sớm các khoá học còn lại:"))
                    .list(courses)
                    .paragraph(format!("Tiến độ của Anh/Chị: {me}")),
            ),
            Kind::Expiring => {
                let until = c.valid_until.map(date).unwrap_or_default();
                (
                    format!("Sắp hết hiệu lực: {title} (đến {until})"),
                    letter
                        .paragraph(format!("Kết quả hoàn thành chương trình bồi dưỡng \"{title}\" của Anh/Chị còn hiệu lực đến ngày {until}. Kỳ bồi dưỡng tiếp theo sẽ được mở trước ngày đó; Anh/Chị sẽ nhận được thư báo khi kỳ mới bắt đầu."))
                        .paragraph(format!("Tiến độ của Anh/Chị: {me}")),
                )
            }
            Kind::Digest => unreachable!("digests are written by `digest`"),
        }
    }

    /// The courses of `rule` as a list with links; with `left_for`, only those that person has not completed.
    fn courses(&self, rule: &Rule, context: &Context<'_>, left_for: Option<i64>) -> Vec<Item> {
        rule.courses
            .iter()
            .filter(|c| left_for.is_none_or(|person| !self.completed.contains(&(person, (*c).clone()))))
            .map(|c| Item {
                text: context.course_titles.get(c).cloned().unwrap_or_else(|| c.clone()),
                link: Some(format!("{}/courses/{c}", context.site_url)),
            })
            .collect()
    }

    fn digest(
        &self,
        contact: &Person,
        unit_id: i64,
        context: &Context<'_>,
        as_of: NaiveDate,
    ) -> (String, Letter) {
        let unit = self.units.get(&unit_id).map_or_else(String::new, |u| u.name.clone());
        let late = self.overdue_in(unit_id);
        let people: HashSet<i64> = late.iter().map(|(p, _)| p.id).collect();
        let titles: HashMap<&str, &str> =
            context.rules.iter().map(|r| (r.id.as_str(), r.title.as_str())).collect();
        let items = late
            .iter()
            .map(|(p, c)| {
                let where_ = p.unit_id.and_then(|u| self.units.get(&u)).map_or("", |u| u.name.as_str());
                let title = titles.get(c.programme_id.as_str()).copied().unwrap_or(c.programme_id.as_str());
                let days = (as_of - c.due_on).num_days();
                Item {
                    text: format!(
                        "{} ({}), {where_}: {title}, hạn {}, quá {days} ngày",
                        p.full_name,
                        p.username,
                        date(c.due_on)
                    ),
                    link: None,
                }
            })
            .collect();
        let subject = format!("Tổng hợp tuần: {} người quá hạn bồi dưỡng tại {unit}", people.len());
        let letter = Letter::to(&contact.full_name)
            .paragraph(format!(
                "Anh/Chị là đầu mối theo dõi bồi dưỡng của {unit}. Đến ngày {}, những người sau trong đơn vị và các đơn vị trực thuộc chưa hoàn thành chương trình bồi dưỡng được giao dù đã quá hạn:",
                date(as_of)
            ))
            .list(items)
            .paragraph(format!("Cần báo cáo đầy đủ của đơn vị, xin liên hệ quản trị viên hệ thống. Trang của hệ thống: {}", context.site_url));
        (subject, letter)
    }
}
