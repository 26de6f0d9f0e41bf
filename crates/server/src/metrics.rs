//! Prometheus metrics, served at `/metrics`.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The registry and every instrument the portal updates.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Requests by route pattern, method and status.
    pub requests: IntCounterVec,
    /// Latency by route pattern and method.
    pub latency: HistogramVec,
    /// Sign-in codes texted.
    pub sms_sent: IntCounter,
    /// SMS provider failures.
    pub sms_failures: IntCounter,
    /// Refused codes.
    pub auth_failures: IntCounter,
    /// Successful sign-ins.
    pub sign_ins: IntCounter,
}

impl Metrics {
    /// Registers the instruments in a fresh registry (one per app, so tests do not share counts).
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("portal".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency").buckets(
                vec![
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["route", "method"],
        )?;
        let counter = |name: &str, help: &str| IntCounter::new(name, help);
        let sms_sent = counter("sms_sent_total", "Sign-in SMS sent")?;
        let sms_failures = counter("sms_failures_total", "SMS provider failures")?;
        let auth_failures = counter("auth_failures_total", "Refused sign-in codes")?;
        let sign_ins = counter("sign_ins_total", "Successful sign-ins")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        for c in [&sms_sent, &sms_failures, &auth_failures, &sign_ins] {
            registry.register(Box::new(c.clone()))?;
        }
        Ok(Self {
            registry,
            requests,
            latency,
            sms_sent,
            sms_failures,
            auth_failures,
            sign_ins,
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

impl portal_usecases::Telemetry for Metrics {
    fn count(&self, event: portal_usecases::Counted) {
        use portal_usecases::Counted;
        match event {
            Counted::SmsSent => self.sms_sent.inc(),
            Counted::SmsFailed => self.sms_failures.inc(),
            Counted::CodeRefused => self.auth_failures.inc(),
            Counted::SignedIn => self.sign_ins.inc(),
        }
    }
}
