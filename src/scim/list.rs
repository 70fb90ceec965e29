//! Listing and searching (RFC 7644 §3.4.2, §3.4.3): the query parameters (or a
//! SearchRequest body) read into [`ListParams`], then filter, sort, page and
//! select over rendered resources, answered as a ListResponse with an exact
//! `totalResults`. Also picks the store index a filter can be answered from.

use super::error::{ScimError, ScimResult};
use super::eval::{Target, matches, values};
use super::filter::{AttrPath, CompValue, CompareOp, Filter, parse_filter, parse_path};
use super::json::get;
use super::project::Selection;
use super::schema::{self, LIST};
use crate::directory::scim_view::UserLookup;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::Deserialize;
use serde_json::{Value, json};
use std::cmp::Ordering;

/// Page size when the client names none.
pub const DEFAULT_COUNT: usize = 100;
/// The largest page served (advertised as `filter.maxResults`).
pub const MAX_COUNT: usize = 1000;

/// The query string of a GET list, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub filter: Option<String>,
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub attributes: Option<String>,
    pub excluded_attributes: Option<String>,
}

/// A list request, checked.
#[derive(Clone, Debug, Default)]
pub struct ListParams {
    pub filter: Option<Filter>,
    pub start: usize,
    pub count: usize,
    pub sort_by: Option<AttrPath>,
    pub descending: bool,
    pub selection: Selection,
}

/// The query string, or invalidValue when it cannot be read.
pub fn query(q: Result<Query<ListQuery>, QueryRejection>) -> ScimResult<ListQuery> {
    q.map(|Query(q)| q)
        .map_err(|e| ScimError::invalid_value(format!("query string: {}", e.body_text())))
}

impl ListQuery {
    /// The same fields from a `POST /.search` body.
    pub fn from_search(body: &Value) -> ScimResult<ListQuery> {
        let obj = body
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("a SearchRequest must be a JSON object"))?;
        let text = |name: &str| -> Option<String> {
            get(obj, name).map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            })
        };
        Ok(ListQuery {
            filter: text("filter"),
            start_index: text("startIndex"),
            count: text("count"),
            sort_by: text("sortBy"),
            sort_order: text("sortOrder"),
            attributes: text("attributes"),
            excluded_attributes: text("excludedAttributes"),
        })
    }

    pub fn params(&self) -> ScimResult<ListParams> {
        let filter = match self.filter.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => Some(parse_filter(f).map_err(|e| ScimError::invalid_filter(e.to_string()))?),
        };
        let int = |name: &str, v: &Option<String>| -> ScimResult<Option<i64>> {
            v.as_deref()
                .map(|s| {
                    s.trim().parse::<i64>().map_err(|_| {
                        ScimError::invalid_value(format!("'{name}' must be an integer"))
                    })
                })
                .transpose()
        };
        let start = int("startIndex", &self.start_index)?.unwrap_or(1).max(1) as usize;
        let count = int("count", &self.count)?
            .map_or(DEFAULT_COUNT, |c| c.clamp(0, MAX_COUNT as i64) as usize);
        let sort_by = match self.sort_by.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                parse_path(s)
                    .map_err(|e| ScimError::invalid_value(format!("sortBy: {e}")))?
                    .attr,
            ),
        };
        let descending = self
            .sort_order
            .as_deref()
            .is_some_and(|o| o.trim().eq_ignore_ascii_case("descending"));
        Ok(ListParams {
            filter,
            start,
            count,
            sort_by,
            descending,
            selection: self.selection()?,
        })
    }

    /// `attributes` and `excludedAttributes` alone: what every operation that
    /// answers with a resource (GET, POST, PUT, PATCH) applies (RFC 7644 §3.9).
    pub fn selection(&self) -> ScimResult<Selection> {
        let list = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        Selection::parse(&list(&self.attributes), &list(&self.excluded_attributes))
    }
}

/// The index a user filter can be answered from, if any: `userName eq`,
/// `externalId eq`, `emails.value eq` or `emails[value eq …]` (alone or
/// and-ed with anything). The whole filter is still applied to what the
/// index finds, so this only narrows the candidates.
pub fn user_lookup(f: Option<&Filter>) -> UserLookup {
    match f {
        Some(Filter::Compare(p, CompareOp::Eq, CompValue::Str(v)))
            if p.urn.is_none()
                || p.urn
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(schema::USER)) =>
        {
            if p.is(schema::USER, "userName", None) {
                UserLookup::Login(v.clone())
            } else if p.is(schema::USER, "externalId", None) {
                UserLookup::ExternalId(v.clone())
            } else if p.is(schema::USER, "emails", Some("value"))
                || p.is(schema::USER, "emails", None)
            {
                UserLookup::Email(v.clone())
            } else {
                UserLookup::All
            }
        }
        Some(Filter::ValuePath { attr, filter }) if attr.is(schema::USER, "emails", None) => {
            email_in(filter).map_or(UserLookup::All, UserLookup::Email)
        }
        Some(Filter::And(a, b)) => match user_lookup(Some(a)) {
            UserLookup::All => user_lookup(Some(b)),
            found => found,
        },
        _ => UserLookup::All,
    }
}

/// The address a value filter on `emails` pins: `value eq "…"`, alone or
/// and-ed with anything (`emails[type eq "work" and value eq "…"]`).
fn email_in(f: &Filter) -> Option<String> {
    match f {
        Filter::Compare(p, CompareOp::Eq, CompValue::Str(v))
            if p.urn.is_none() && p.sub_attr.is_none() && p.attr.eq_ignore_ascii_case("value") =>
        {
            Some(v.clone())
        }
        Filter::And(a, b) => email_in(a).or_else(|| email_in(b)),
        _ => None,
    }
}

/// Filters, sorts, pages and selects `all` (rendered resources of `core`). A
/// filter that matches more than `max_matches` answers tooMany.
pub fn respond(
    core: &'static str,
    all: Vec<Value>,
    p: &ListParams,
    max_matches: Option<usize>,
) -> ScimResult<Value> {
    let mut kept = Vec::with_capacity(all.len());
    for r in all {
        let Some(obj) = r.as_object() else { continue };
        let keep = match &p.filter {
            None => true,
            Some(f) => matches(&Target { core, obj }, f)?,
        };
        if keep {
            kept.push(r);
            // Stop at the first match past the bound: the rest is not evaluated.
            check_matches(p, kept.len(), max_matches)?;
        }
    }
    sort(core, &mut kept, p);
    let total = kept.len();
    let page: Vec<Value> = kept
        .into_iter()
        .skip(p.start - 1)
        .take(p.count)
        .map(|r| p.selection.apply(core, r))
        .collect();
    Ok(json!({
        "schemas": [LIST],
        "totalResults": total,
        "startIndex": p.start,
        "itemsPerPage": page.len(),
        "Resources": page,
    }))
}

/// tooMany (RFC 7644 §3.12) when a filtered request matches more than `max`
/// resources. Unfiltered lists are never refused: paging through everything
/// is what identity providers do, and `count` bounds each page.
pub fn check_matches(p: &ListParams, matched: usize, max: Option<usize>) -> ScimResult<()> {
    match max {
        Some(max) if p.filter.is_some() && matched > max => Err(ScimError::too_many(format!(
            "the filter matches more than {max} resources; narrow it (for example with userName eq, externalId eq or emails.value eq)"
        ))),
        _ => Ok(()),
    }
}

/// A stable order: by the sort key (missing values last), then creation time
/// and id, so pages never overlap or skip.
fn sort(core: &'static str, list: &mut [Value], p: &ListParams) {
    let key = |r: &Value| -> (Option<String>, String, String) {
        let obj = r.as_object();
        let sort_key = p.sort_by.as_ref().and_then(|path| {
            let obj = obj?;
            let vals = values(&Target { core, obj }, path);
            let first = vals.first()?;
            let text = match first {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let urn = path.urn.as_deref().unwrap_or(core);
            Some(
                if schema::case_exact(urn, &path.attr, path.sub_attr.as_deref()) {
                    text
                } else {
                    text.to_lowercase()
                },
            )
        });
        let created = r["meta"]["created"].as_str().unwrap_or_default().to_owned();
        let id = r["id"].as_str().unwrap_or_default().to_owned();
        (sort_key, created, id)
    };
    let mut keyed: Vec<_> = list.iter().map(|r| (key(r), r.clone())).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        let primary = match (&a.0, &b.0) {
            (Some(x), Some(y)) if p.descending => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        primary.then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2)))
    });
    for (slot, (_, r)) in list.iter_mut().zip(keyed) {
        *slot = r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::filter::parse_filter;

    fn lookup(filter: &str) -> UserLookup {
        user_lookup(Some(&parse_filter(filter).unwrap()))
    }

    #[test]
    fn indexed_questions_find_their_index() {
        let email = |v: &str| UserLookup::Email(v.into());
        assert_eq!(
            lookup(r#"userName eq "a@x""#),
            UserLookup::Login("a@x".into())
        );
        assert_eq!(
            lookup(r#"externalId eq "e1""#),
            UserLookup::ExternalId("e1".into())
        );
        assert_eq!(lookup(r#"emails.value eq "a@x""#), email("a@x"));
        assert_eq!(lookup(r#"emails[value eq "a@x"]"#), email("a@x"));
        assert_eq!(
            lookup(r#"emails[type eq "work" and value eq "a@x"]"#),
            email("a@x")
        );
        assert_eq!(
            lookup(r#"active eq true and emails[value eq "a@x"]"#),
            email("a@x")
        );
    }

    #[test]
    fn other_questions_scan() {
        for f in [
            r#"emails[value co "a@x"]"#,
            r#"emails[type eq "work" or value eq "a@x"]"#,
            r#"phoneNumbers[value eq "1"]"#,
            r#"userName eq "a@x" or displayName eq "b""#,
            r#"not (userName eq "a@x")"#,
        ] {
            assert_eq!(lookup(f), UserLookup::All, "{f}");
        }
    }
}
