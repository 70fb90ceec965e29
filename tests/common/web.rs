//! The web console as a client without a browser sees it: requests with
//! or without the session cookie, redirects not followed, the answer's
//! status, `Location`, `Set-Cookie` and body.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, StatusCode, redirect};

pub struct Web {
    pub base: String,
    pub client: Client,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub set_cookie: String,
    pub body: String,
}

impl Web {
    pub fn new(t: &super::admin::T) -> Web {
        Web {
            base: format!("http://{}", t.ldap.server.http_addr),
            client: Client::builder()
                .redirect(redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<&[(&str, &str)]>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(c) = cookie {
            r = r.header(COOKIE, c);
        }
        if let Some(f) = form {
            r = r
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(f).unwrap());
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        page_of(r.send().await.unwrap()).await
    }

    /// Posts a file as the form's `file` field (multipart/form-data), as a
    /// browser's upload form does.
    pub async fn upload(
        &self,
        path: &str,
        cookie: &str,
        file_name: &str,
        content_type: &str,
        content: &[u8],
    ) -> Page {
        const BOUNDARY: &str = "dirgate-test-boundary-7d1f";
        let mut body = format!(
            "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\ncontent-type: {content_type}\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        page_of(r.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Page {
        self.send(Method::GET, path, cookie, None, &[]).await
    }

    /// Posts a form with the session `cookie`.
    pub async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(cookie), Some(form), &[])
            .await
    }

    /// Signs in and answers the `Cookie` header value of the session.
    pub async fn sign_in(&self, name: &str, password: &str) -> String {
        let form = [("name", name), ("password", password)];
        let p = self
            .send(Method::POST, "/sign-in", None, Some(&form), &[])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location, "/users");
        p.set_cookie.split(';').next().unwrap().to_owned()
    }
}

/// The parts of an answer the tests look at.
async fn page_of(a: reqwest::Response) -> Page {
    let header = |name| {
        a.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    Page {
        status: a.status(),
        location: header(LOCATION),
        set_cookie: header(SET_COOKIE),
        body: a.text().await.unwrap(),
    }
}
