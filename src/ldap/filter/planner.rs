//! The query planner: turns a filter into index probes whose candidates
//! are a superset of the matching entries, so that equality on indexed
//! attributes never needs a full scan. It reasons with the same semantics
//! as evaluation (subtypes, objectClass hierarchy, Undefined), which is why
//! it lives next to it.

use ldap3_proto::proto::LdapFilter;

use super::super::entry::{Description, subtypes_of};
use super::super::schema::{self, AttributeType};
use super::{MAX_DEPTH, is_class_type};

/// How to find the candidates for a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Every entry in scope is a candidate.
    Scan,
    /// The union of the probes' candidate sets is a superset of the
    /// matching entries. Empty when nothing can match (an unknown type, an
    /// invalid assertion value, `(|)`).
    Probes(Vec<Probe>),
}

/// An index lookup: entries with a value of `ty` equal to `value` under
/// the type's equality rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub ty: &'static AttributeType,
    /// The assertion value as given; the index normalizes it.
    pub value: String,
}

/// Plans the candidate search for `filter`; `indexed` tells which types
/// have an equality index. The caller still evaluates the whole filter on
/// every candidate. Only equality, AND and OR are planned: NOT, ranges,
/// substrings, presence and extensible matches (in-chain included: its
/// values are not in the entry's own index) scan.
pub fn plan(filter: &LdapFilter, indexed: &dyn Fn(&AttributeType) -> bool) -> Plan {
    plan_at(filter, indexed, 1)
}

fn plan_at(filter: &LdapFilter, indexed: &dyn Fn(&AttributeType) -> bool, depth: usize) -> Plan {
    if depth > MAX_DEPTH {
        return Plan::Scan;
    }
    let sub = |f: &LdapFilter| plan_at(f, indexed, depth + 1);
    match filter {
        LdapFilter::Equality(attr, value) => plan_equality(attr, value, indexed),
        LdapFilter::And(filters) => plan_and(filters.iter().map(sub)),
        LdapFilter::Or(filters) => plan_or(filters.iter().map(sub)),
        // Undefined or FALSE on every entry: nothing to look up.
        LdapFilter::Present(attr)
        | LdapFilter::Substring(attr, _)
        | LdapFilter::GreaterOrEqual(attr, _)
        | LdapFilter::LessOrEqual(attr, _)
        | LdapFilter::Approx(attr, _)
            if Description::parse(attr).is_none() =>
        {
            Plan::Probes(Vec::new())
        }
        _ => Plan::Scan,
    }
}

/// The most selective indexable child: fewest probes, and objectClass only
/// as a last resort since nearly every entry has one of the usual classes.
fn plan_and(plans: impl Iterator<Item = Plan>) -> Plan {
    plans
        .filter_map(|plan| match plan {
            Plan::Probes(probes) => Some(probes),
            Plan::Scan => None,
        })
        .min_by_key(|probes| (probes.iter().any(|p| is_class_type(p.ty)), probes.len()))
        .map_or(Plan::Scan, Plan::Probes)
}

/// Every child must be indexable; the union of their probes, deduplicated.
fn plan_or(plans: impl Iterator<Item = Plan>) -> Plan {
    let mut union = Vec::new();
    for plan in plans {
        match plan {
            Plan::Probes(probes) => union.extend(probes),
            Plan::Scan => return Plan::Scan,
        }
    }
    union.sort_by(|a, b| (a.ty.oid, &a.value).cmp(&(b.ty.oid, &b.value)));
    union.dedup_by(|a, b| a.ty.oid == b.ty.oid && a.value == b.value);
    Plan::Probes(union)
}

/// An equality filter needs one probe per type whose values it can match
/// (the type and its subtypes), all of them indexed.
fn plan_equality(attr: &str, value: &str, indexed: &dyn Fn(&AttributeType) -> bool) -> Plan {
    let Some(d) = Description::parse(attr).filter(|d| !d.tagged) else {
        return Plan::Probes(Vec::new());
    };
    if is_class_type(d.ty) {
        return plan_class(d.ty, value, indexed);
    }
    match d.ty.equality {
        Some(rule) if rule.normalize_assertion(value).is_some() => {}
        _ => return Plan::Probes(Vec::new()),
    }
    let types = std::iter::once(d.ty).chain(subtypes_of(d.ty));
    let mut probes = Vec::new();
    for ty in types {
        if !indexed(ty) {
            return Plan::Scan;
        }
        probes.push(Probe {
            ty,
            value: value.to_owned(),
        });
    }
    Plan::Probes(probes)
}

/// An entry may list only a subclass of the asserted class, so the probes
/// cover the class and every known subclass (by canonical name).
fn plan_class(
    ty: &'static AttributeType,
    value: &str,
    indexed: &dyn Fn(&AttributeType) -> bool,
) -> Plan {
    let Some(asserted) = schema::object_class(value.trim_matches(' ')) else {
        return Plan::Probes(Vec::new());
    };
    if !indexed(ty) {
        return Plan::Scan;
    }
    let probe = |value: &str| Probe {
        ty,
        value: value.to_owned(),
    };
    let subclasses = schema::object_classes()
        .filter(|c| c.oid != asserted.oid && c.is_subclass_of(asserted))
        .map(|c| probe(c.canonical()));
    Plan::Probes(std::iter::once(probe(value)).chain(subclasses).collect())
}

#[cfg(test)]
mod tests {
    use super::super::Entry;
    use super::super::tests::{alice, bob, carol, f, staff};
    use super::super::{IN_CHAIN_RULE, NoChain, evaluate, matches};
    use super::*;
    use ldap3_proto::proto::LdapMatchingRuleAssertion;

    fn indexed(ty: &AttributeType) -> bool {
        ["uid", "mail", "objectClass", "memberOf", "cn", "uidNumber"].contains(&ty.canonical())
    }

    /// The probes as sorted `type=value` strings.
    fn probes(text: &str) -> Option<Vec<String>> {
        match plan(&f(text), &indexed) {
            Plan::Scan => None,
            Plan::Probes(probes) => {
                let mut out: Vec<String> = probes
                    .iter()
                    .map(|p| format!("{}={}", p.ty.canonical(), p.value))
                    .collect();
                out.sort();
                Some(out)
            }
        }
    }

    #[test]
    fn planner_uses_indexes() {
        assert_eq!(probes("(uid=alice)").unwrap(), ["uid=alice"]);
        assert_eq!(probes("(UserID=alice)").unwrap(), ["uid=alice"]);
        assert_eq!(
            probes("(&(objectClass=inetOrgPerson)(uid=alice))").unwrap(),
            ["uid=alice"]
        );
        assert_eq!(probes("(&(uid=a)(|(mail=b)(mail=c)))").unwrap(), ["uid=a"]);
        assert_eq!(
            probes("(&(|(mail=b)(mail=c))(sn=x))").unwrap(),
            ["mail=b", "mail=c"]
        );
        assert_eq!(
            probes("(|(uid=a)(mail=b)(uid=a))").unwrap(),
            ["mail=b", "uid=a"]
        );
        assert_eq!(
            probes("(&(objectClass=person)(sn=x))").unwrap(),
            [
                "objectClass=inetOrgPerson",
                "objectClass=organizationalPerson",
                "objectClass=person"
            ]
        );
        assert_eq!(
            probes("(objectClass=posixAccount)").unwrap(),
            ["objectClass=posixAccount"]
        );
        assert_eq!(
            probes("(memberOf=\"cn=staff,dc=x\")").unwrap(),
            ["memberOf=cn=staff,dc=x"]
        );
    }

    #[test]
    fn planner_scans_what_indexes_cannot_answer() {
        for text in [
            "(sn=smith)",
            "(|(uid=a)(sn=b))",
            "(!(uid=a))",
            "(uid=a*)",
            "(uidNumber>=5)",
            "(uid=*)",
            "(uid~=a)",
            "(uid:=a)",
            "(memberOf:1.2.840.113556.1.4.1941:=\"cn=x,dc=y\")",
            "(&(sn=a)(givenName=b))",
            "(name=alice)",
        ] {
            assert_eq!(probes(text), None, "{text}");
        }
        assert_eq!(plan(&LdapFilter::And(vec![]), &indexed), Plan::Scan);
    }

    #[test]
    fn planner_skips_filters_that_cannot_match() {
        for text in [
            "(uidNumber=abc)",
            "(nosuch=x)",
            "(nosuch=*)",
            "(&(nosuch=x)(objectClass=person))",
            "(objectClass=noSuchClass)",
            "(|(nosuch=a)(nosuch=b))",
        ] {
            assert_eq!(probes(text), Some(vec![]), "{text}");
        }
        assert_eq!(
            plan(&LdapFilter::Or(vec![]), &indexed),
            Plan::Probes(vec![])
        );
        let tagged = LdapFilter::Equality("cn;lang-en".into(), "x".into());
        assert_eq!(plan(&tagged, &indexed), Plan::Probes(vec![]));
    }

    #[test]
    fn planner_covers_subtypes() {
        let Plan::Probes(probes) = plan(&f("(name=alice)"), &|_| true) else {
            panic!("expected probes");
        };
        let types: Vec<&str> = probes.iter().map(|p| p.ty.canonical()).collect();
        assert!(types.contains(&"name") && types.contains(&"cn") && types.contains(&"sn"));
        assert!(probes.iter().all(|p| p.value == "alice"));
    }

    /// Whether a simulated equality index finds `e` through `probes`.
    fn found(probes: &[Probe], e: &Entry) -> bool {
        probes.iter().any(|p| {
            let rule = p.ty.equality;
            let hit = |v: &String| rule.and_then(|r| r.matches(&p.value, v)) == Some(true);
            e.get(p.ty).is_some_and(|values| values.iter().any(hit))
        })
    }

    fn assert_superset(filter: &LdapFilter, directory: &[Entry]) {
        let Plan::Probes(probes) = plan(filter, &indexed) else {
            return;
        };
        for e in directory.iter().filter(|e| matches(filter, e, &NoChain)) {
            assert!(found(&probes, e), "{filter:?}: {} not a candidate", e.dn);
        }
    }

    #[test]
    fn planned_candidates_are_supersets() {
        let directory = [alice(), bob(), carol(), staff()];
        for text in [
            "(uid=alice)",
            "(objectClass=person)",
            "(objectClass=organizationalPerson)",
            "(|(uid=bob)(cn=staff))",
            "(&(objectClass=top)(memberOf=\"cn=staff,ou=groups,dc=example,dc=com\"))",
        ] {
            assert!(
                matches!(plan(&f(text), &indexed), Plan::Probes(_)),
                "{text}"
            );
            assert_superset(&f(text), &directory);
        }
    }

    /// A tiny deterministic generator (xorshift) for random filters.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const ATTRS: &[&str] = &[
        "uid",
        "CN",
        "2.5.4.3",
        "sn",
        "name",
        "objectClass",
        "mail",
        "uidNumber",
        "memberOf",
        "member",
        "ou",
        "cn;lang-en",
        "nosuch",
        "distinguishedName",
        "createTimestamp",
    ];
    const VALUES: &[&str] = &[
        "alice",
        "Alice Smith",
        "smith",
        "person",
        "top",
        "inetOrgPerson",
        "10000",
        "abc",
        "",
        "cn=staff,ou=Groups,dc=example,dc=com",
        "Sales",
        "\\",
        "é",
        " ",
        "20240101000000Z",
    ];
    const RULES: &[&str] = &[
        "caseExactMatch",
        "caseIgnoreMatch",
        "integerMatch",
        "2.5.13.1",
        "octetStringMatch",
        IN_CHAIN_RULE,
        "nosuchMatch",
    ];

    fn random_filter(rng: &mut Rng, depth: usize) -> LdapFilter {
        let (attr, value) = (rng.pick(ATTRS).to_owned(), rng.pick(VALUES).to_owned());
        let children = |rng: &mut Rng| {
            (0..rng.below(4))
                .map(|_| random_filter(rng, depth + 1))
                .collect()
        };
        match rng.below(if depth > 4 { 7 } else { 10 }) {
            0 => LdapFilter::Equality(attr, value),
            1 => LdapFilter::Substring(attr, value.as_str().into()),
            2 => LdapFilter::GreaterOrEqual(attr, value),
            3 => LdapFilter::LessOrEqual(attr, value),
            4 => LdapFilter::Present(attr),
            5 => LdapFilter::Approx(attr, value),
            6 => LdapFilter::Extensible(LdapMatchingRuleAssertion {
                matching_rule: (rng.below(3) > 0).then(|| rng.pick(RULES).to_owned()),
                type_: (rng.below(3) > 0).then_some(attr),
                match_value: value,
                dn_attributes: rng.below(2) == 0,
            }),
            7 => LdapFilter::And(children(rng)),
            8 => LdapFilter::Or(children(rng)),
            _ => LdapFilter::Not(Box::new(random_filter(rng, depth + 1))),
        }
    }

    #[test]
    fn random_filters_never_panic_and_plans_are_supersets() {
        let directory = [alice(), bob(), carol(), staff()];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..10_000 {
            let filter = random_filter(&mut rng, 0);
            assert_superset(&filter, &directory);
            let negated = LdapFilter::Not(Box::new(filter.clone()));
            for e in &directory {
                let result = evaluate(&filter, e, &NoChain);
                assert_eq!(
                    evaluate(&negated, e, &NoChain),
                    result.negate(),
                    "{filter:?}"
                );
            }
        }
    }
}
