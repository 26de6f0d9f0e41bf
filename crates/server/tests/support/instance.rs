//! A real `portal serve` process for tests that need the binary as it runs in production: the
//! browser tests and the several-instances tests. Started with environment overrides, its JSON log
//! kept line by line, healthy before it is handed out, killed when dropped.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A free local port (bound, then released for the server to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running `portal serve`.
pub struct Instance {
    child: Child,
    base: String,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Instance {
    /// Starts `portal serve` (with `--seed-demo` when `seed_demo`) in `data_dir`, on a free port,
    /// logging JSON; `env` adds or overrides settings. Waits until `/health/live` answers.
    pub async fn start(data_dir: &Path, env: &[(&str, String)], seed_demo: bool) -> Self {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
        command
            .arg("serve")
            .args(seed_demo.then_some("--seed-demo"))
            .current_dir(data_dir)
            .env_remove("PORTAL__DATABASE__URL")
            .env_remove("RUST_LOG")
            .env("PORTAL__DATA_DIR", data_dir)
            .env("PORTAL__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("PORTAL__SERVER__PUBLIC_URL", &base)
            .env("PORTAL__LOG__FORMAT", "json")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let instance = Self { child, base, logs };
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let live = http.get(instance.url("/health/live")).send().await;
            if live.is_ok_and(|r| r.status().is_success()) {
                return instance;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The absolute URL of `path` on this instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every log line so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    /// Kills the process at once (SIGKILL): no shutdown work runs.
    pub fn kill(&self) {
        let _ = Command::new("kill")
            .args(["-9", &self.child.id().to_string()])
            .status();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
