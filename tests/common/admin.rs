//! Fixtures for the admin API tests: the standard test directory served
//! in-process (see `server::start`), an HTTP client, and the credentials of the
//! system administrator and of bob, a delegate of Acme-A.
#![allow(dead_code)]

use super::http::{Answer, Api, Auth};
use super::server::{Ldap, start};

pub struct T {
    pub ldap: Ldap,
    pub api: Api,
    pub sys: Auth,
    pub bob: Auth,
}

pub async fn setup() -> T {
    let ldap = start("").await;
    let api = Api::new(ldap.server.http_addr);
    let sys = Auth::basic(&ldap.admin_dn, &ldap.admin_pw);
    T {
        api,
        sys,
        bob: Auth::basic("bob@example.com", "pw"),
        ldap,
    }
}

pub fn expect(a: &Answer, status: u16) {
    assert_eq!(a.status, status, "unexpected answer: {a:?}");
}

pub fn error_kind(a: &Answer) -> &str {
    a.body["error"].as_str().unwrap_or("")
}

pub async fn user_id(t: &T, login: &str) -> String {
    let a = t.api.get(&format!("/users/{login}"), &t.sys).await;
    expect(&a, 200);
    a.body["id"].as_str().unwrap().to_owned()
}

pub fn logins(a: &Answer) -> Vec<String> {
    a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap().to_owned())
        .collect()
}

pub fn column(a: &Answer, name: &str) -> Vec<String> {
    a.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[name].as_str().unwrap().to_owned())
        .collect()
}
