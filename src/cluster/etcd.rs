//! A small etcd v3 client over etcd's JSON gateway (`/v3/kv/*`, `/v3/watch`),
//! on ureq, the HTTP client dirgate already has (rustls with ring when the
//! endpoints are https). Chosen over the `etcd-client` crate: the few calls a
//! log needs (a compare-and-put transaction, a range, a watch) are plain JSON
//! there, and the gRPC stack (tonic, prost, and `protoc` at build time) would
//! add the largest dependency tree of the build for them. Keys and values are
//! base64 in the gateway's JSON, revisions decimal strings. Each call tries
//! the endpoints in turn, starting with the last that answered.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How long one watch request streams before it ends and the caller asks
/// again from where it got to. A bounded span lets a follower notice that it
/// was told to stop, and that a connection went silent (a member behind a
/// dead network answers nothing, and no error would ever come), within it.
pub const WATCH_SPAN: Duration = Duration::from_secs(2);

/// Why a call to etcd failed.
#[derive(Debug, thiserror::Error)]
pub enum EtcdError {
    /// No endpoint answered (each one's reason, the last kept).
    #[error("etcd is unreachable: {0}")]
    Unavailable(String),
    /// A watch asked for history etcd has compacted away.
    #[error("etcd compacted its history up to revision {0}")]
    Compacted(u64),
    /// An answer that is not what the gateway sends.
    #[error("etcd answered something unexpected: {0}")]
    Protocol(String),
}

/// How a compare-and-put came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Put {
    /// Written; the key's new revision.
    Done(u64),
    /// The key had moved on: its revision now.
    Moved(u64),
}

/// A key and its value.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// One change of a watched key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub revision: u64,
    pub value: Vec<u8>,
}

/// How long an append (a compare-and-put) may take. A node holds its
/// store's write lock meanwhile, so a member that takes the request and
/// then has no leader (an election) would stop every write of the node for
/// the whole call timeout; an append normally takes milliseconds, so after
/// this it is answered "unavailable" and the next write asks again.
const APPEND_TIMEOUT: Duration = Duration::from_secs(1);

/// The client: endpoints and its HTTP agents.
pub struct Etcd {
    endpoints: Vec<String>,
    agent: ureq::Agent,
    /// For appends: [`APPEND_TIMEOUT`].
    appends: ureq::Agent,
    /// Watches stream for [`WATCH_SPAN`] at most.
    streaming: ureq::Agent,
    preferred: AtomicUsize,
}

fn revision(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

impl Etcd {
    /// A client for `endpoints` (`http://host:port`, or https trusting the
    /// public roots); each call may take `timeout`.
    pub fn new(endpoints: Vec<String>, timeout: Duration) -> Etcd {
        Etcd::with_tls(endpoints, timeout, ureq::tls::TlsConfig::default())
    }

    /// A client whose https connections use `tls` (a private CA, a client
    /// certificate: `crate::client_tls`).
    pub fn with_tls(endpoints: Vec<String>, timeout: Duration, tls: ureq::tls::TlsConfig) -> Etcd {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .tls_config(tls.clone())
            .build()
            .into();
        let appends = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout.min(APPEND_TIMEOUT)))
            .tls_config(tls.clone())
            .build()
            .into();
        let streaming = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .timeout_connect(Some(timeout))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(WATCH_SPAN))
            .build()
            .into();
        Etcd {
            endpoints,
            agent,
            appends,
            streaming,
            preferred: AtomicUsize::new(0),
        }
    }

    /// POSTs `body` to `path` on the first endpoint that answers. A write
    /// (`retry_safe` false) moves on to the next endpoint only when the
    /// connection was refused: after any other failure etcd may have taken
    /// it, and sending it again elsewhere would make the caller believe it
    /// lost a race it won. The caller hears "unavailable" instead (the write
    /// may still appear in the log, as after any timeout).
    fn call(&self, path: &str, body: &Value) -> Result<Value, EtcdError> {
        self.call_with(path, body, true)
    }

    /// The endpoints' indexes, the last that answered first.
    fn in_turn(&self) -> impl Iterator<Item = usize> + use<> {
        let n = self.endpoints.len();
        let first = self.preferred.load(Ordering::Relaxed);
        (0..n).map(move |i| (first + i) % n)
    }

    fn call_with(&self, path: &str, body: &Value, retry_safe: bool) -> Result<Value, EtcdError> {
        let mut last = String::from("no endpoint configured");
        for at in self.in_turn() {
            let url = format!("{}{path}", self.endpoints[at]);
            let agent = if retry_safe {
                &self.agent
            } else {
                &self.appends
            };
            match agent.post(&url).send_json(body) {
                Ok(mut r) if r.status().is_success() => {
                    self.preferred.store(at, Ordering::Relaxed);
                    return r
                        .body_mut()
                        .read_json()
                        .map_err(|e| EtcdError::Protocol(e.to_string()));
                }
                Ok(mut r) => {
                    let text = r.body_mut().read_to_string().unwrap_or_default();
                    last = format!("{url}: {} {text}", r.status().as_u16());
                    if !retry_safe {
                        break;
                    }
                }
                Err(e) => {
                    let refused = matches!(&e, ureq::Error::ConnectionFailed)
                        || matches!(&e, ureq::Error::Io(io)
                            if io.kind() == std::io::ErrorKind::ConnectionRefused);
                    last = format!("{url}: {e}");
                    if !retry_safe && !refused {
                        break;
                    }
                }
            }
        }
        Err(EtcdError::Unavailable(last))
    }

    /// The revision of `key`'s last change (0: it was never written).
    pub fn revision_of(&self, key: &[u8]) -> Result<u64, EtcdError> {
        let answer = self.call("/v3/kv/range", &json!({"key": B64.encode(key)}))?;
        Ok(answer["kvs"]
            .as_array()
            .and_then(|kvs| kvs.first())
            .map_or(0, |kv| revision(&kv["mod_revision"])))
    }

    /// Writes `value` to `key` if the key's last change is still `expected`
    /// (0: never written) — one etcd transaction.
    pub fn put_if(&self, key: &[u8], expected: u64, value: &[u8]) -> Result<Put, EtcdError> {
        let key = B64.encode(key);
        let body = json!({
            "compare": [{"key": key, "target": "MOD", "result": "EQUAL",
                         "mod_revision": expected.to_string()}],
            "success": [{"request_put": {"key": key, "value": B64.encode(value)}}],
            "failure": [{"request_range": {"key": key}}],
        });
        let answer = self.call_with("/v3/kv/txn", &body, false)?;
        if answer["succeeded"].as_bool() == Some(true) {
            return Ok(Put::Done(revision(&answer["header"]["revision"])));
        }
        let now = answer["responses"][0]["response_range"]["kvs"][0]["mod_revision"].clone();
        Ok(Put::Moved(revision(&now)))
    }

    /// Writes `value` to `key` (a plain put; sending it twice is harmless).
    pub fn put(&self, key: &[u8], value: &[u8]) -> Result<(), EtcdError> {
        let body = json!({"key": B64.encode(key), "value": B64.encode(value)});
        self.call("/v3/kv/put", &body).map(|_| ())
    }

    /// `key`'s value, if it exists.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, EtcdError> {
        let answer = self.call("/v3/kv/range", &json!({"key": B64.encode(key)}))?;
        answer["kvs"][0]["value"]
            .as_str()
            .map(|v| {
                B64.decode(v)
                    .map_err(|e| EtcdError::Protocol(e.to_string()))
            })
            .transpose()
    }

    /// A lease that ends after `ttl_secs`: keys written with it go then.
    pub fn lease(&self, ttl_secs: u64) -> Result<u64, EtcdError> {
        let answer = self.call("/v3/lease/grant", &json!({"TTL": ttl_secs.to_string()}))?;
        match revision(&answer["ID"]) {
            0 => Err(EtcdError::Protocol(format!(
                "a lease without an id: {answer}"
            ))),
            id => Ok(id),
        }
    }

    /// Writes `value` to `key` under `lease`.
    pub fn put_leased(&self, key: &[u8], value: &[u8], lease: u64) -> Result<(), EtcdError> {
        let body = json!({"key": B64.encode(key), "value": B64.encode(value),
                          "lease": lease.to_string()});
        self.call("/v3/kv/put", &body).map(|_| ())
    }

    /// Every key under `prefix` with its value.
    pub fn range_prefix(&self, prefix: &[u8]) -> Result<Vec<KeyValue>, EtcdError> {
        let mut end = prefix.to_vec();
        // The range's end: the prefix with its last byte one higher.
        if let Some(last) = end.last_mut() {
            *last = last.saturating_add(1);
        }
        let body = json!({"key": B64.encode(prefix), "range_end": B64.encode(&end)});
        let answer = self.call("/v3/kv/range", &body)?;
        let decode = |v: &Value| {
            B64.decode(v.as_str().unwrap_or(""))
                .map_err(|e| EtcdError::Protocol(e.to_string()))
        };
        answer["kvs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|kv| Ok((decode(&kv["key"])?, decode(&kv["value"])?)))
            .collect()
    }

    /// `key`'s value, writing `value` there first if the key never existed
    /// (one transaction: of two callers at once, both get the first's).
    pub fn create_or_get(&self, key: &[u8], value: &[u8]) -> Result<Vec<u8>, EtcdError> {
        let key = B64.encode(key);
        let body = json!({
            "compare": [{"key": key, "target": "CREATE", "result": "EQUAL",
                         "create_revision": "0"}],
            "success": [{"request_put": {"key": key, "value": B64.encode(value)}}],
            "failure": [{"request_range": {"key": key}}],
        });
        let answer = self.call("/v3/kv/txn", &body)?;
        if answer["succeeded"].as_bool() == Some(true) {
            return Ok(value.to_vec());
        }
        let stored = &answer["responses"][0]["response_range"]["kvs"][0]["value"];
        B64.decode(stored.as_str().unwrap_or(""))
            .map_err(|e| EtcdError::Protocol(e.to_string()))
    }

    /// Drops the history before `revision` (etcd-wide: every key's). Asking
    /// for a revision already compacted is no error.
    pub fn compact(&self, revision: u64) -> Result<(), EtcdError> {
        let body = json!({"revision": revision.to_string()});
        match self.call("/v3/kv/compaction", &body) {
            Err(EtcdError::Unavailable(why)) if why.contains("compacted") => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Every change of `key` from revision `from` on, as it happens, for
    /// [`WATCH_SPAN`]: the iterator then ends (`None`); it ends with an error
    /// when the stream breaks.
    pub fn watch(&self, key: &[u8], from: u64) -> Result<Watch, EtcdError> {
        let body = json!({"create_request": {"key": B64.encode(key),
                                             "start_revision": from.to_string()}});
        let mut last = String::from("no endpoint configured");
        for at in self.in_turn() {
            let url = format!("{}/v3/watch", self.endpoints[at]);
            match self.streaming.post(&url).send_json(&body) {
                Ok(r) if r.status().is_success() => {
                    let span_over = Arc::new(AtomicBool::new(false));
                    let reader: Box<dyn Read + Send> = Box::new(Span {
                        inner: r.into_body().into_reader(),
                        over: span_over.clone(),
                    });
                    let stream = serde_json::Deserializer::from_reader(reader).into_iter();
                    return Ok(Watch {
                        stream,
                        pending: Vec::new(),
                        span_over,
                    });
                }
                Ok(r) => last = format!("{url}: {}", r.status().as_u16()),
                Err(e) => last = format!("{url}: {e}"),
            }
        }
        Err(EtcdError::Unavailable(last))
    }
}

fn event(kv: &Value) -> Result<Event, EtcdError> {
    let value = B64
        .decode(kv["value"].as_str().unwrap_or(""))
        .map_err(|e| EtcdError::Protocol(e.to_string()))?;
    Ok(Event {
        revision: revision(&kv["mod_revision"]),
        value,
    })
}

type Stream =
    serde_json::StreamDeserializer<'static, serde_json::de::IoRead<Box<dyn Read + Send>>, Value>;

/// A watch's events, in revision order.
pub struct Watch {
    stream: Stream,
    pending: Vec<Event>,
    /// Set when the stream ended because its span ran out.
    span_over: Arc<AtomicBool>,
}

/// A watch's body, noting when it ends because [`WATCH_SPAN`] ran out (the
/// JSON parser above it only sees an I/O error).
struct Span<R> {
    inner: R,
    over: Arc<AtomicBool>,
}

impl<R: Read> Read for Span<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            let timed_out = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                .is_some_and(|u| matches!(u, ureq::Error::Timeout(_)));
            if timed_out || e.kind() == std::io::ErrorKind::TimedOut {
                self.over.store(true, Ordering::Relaxed);
            }
        })
    }
}

impl Iterator for Watch {
    type Item = Result<Event, EtcdError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if !self.pending.is_empty() {
                return Some(Ok(self.pending.remove(0)));
            }
            let message = match self.stream.next()? {
                Ok(m) => m,
                Err(_) if self.span_over.load(Ordering::Relaxed) => return None,
                Err(e) => return Some(Err(EtcdError::Unavailable(e.to_string()))),
            };
            let result = &message["result"];
            let compacted = revision(&result["compact_revision"]);
            if compacted > 0 {
                return Some(Err(EtcdError::Compacted(compacted)));
            }
            if result["canceled"].as_bool() == Some(true) {
                return Some(Err(EtcdError::Unavailable("the watch was canceled".into())));
            }
            for e in result["events"].as_array().into_iter().flatten() {
                match event(&e["kv"]) {
                    Ok(ev) => self.pending.push(ev),
                    Err(err) => return Some(Err(err)),
                }
            }
        }
    }
}
