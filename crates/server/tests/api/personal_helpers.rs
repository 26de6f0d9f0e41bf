//! Helpers shared by the profile, preferences, medical and privacy tests.

use reqwest::{Method, Response};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::Value;

use crate::helpers::*;

/// Sends `method path` with a bearer token and an optional JSON body.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.unwrap()
}

pub async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    send(app, Method::PUT, path, token, Some(body)).await
}

pub async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    send(app, Method::POST, path, token, Some(body)).await
}

/// The JSON body of a response that must have `status`.
pub async fn ok_json(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Every stored value of every table, one line per row: text as text, and also every column as
/// lower-case hex on SQLite (PostgreSQL prints `bytea` as hex in a row's text form), so plain text
/// hidden in a blob is found too.
pub async fn dump_database(db: &DatabaseConnection) -> String {
    let backend = db.get_database_backend();
    let query = |sql: String| Statement::from_string(backend, sql);
    let mut out = String::new();
    match backend {
        DbBackend::Sqlite => {
            let tables = db
                .query_all_raw(query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                        .into(),
                ))
                .await
                .unwrap();
            for table in tables {
                let table: String = table.try_get("", "name").unwrap();
                let columns = db
                    .query_all_raw(query(format!(
                        "SELECT name FROM pragma_table_info('{table}')"
                    )))
                    .await
                    .unwrap();
                let parts: Vec<String> = columns
                    .iter()
                    .map(|c| {
                        let c: String = c.try_get("", "name").unwrap();
                        // Blobs only as hex: their bytes are rarely valid UTF-8.
                        format!(
                            "CASE WHEN typeof(\"{c}\") = 'blob' THEN lower(hex(\"{c}\")) ELSE COALESCE(CAST(\"{c}\" AS TEXT), '') || ' ' || COALESCE(lower(hex(\"{c}\")), '') END"
                        )
                    })
                    .collect();
                let rows = db
                    .query_all_raw(query(format!(
                        "SELECT {} AS v FROM \"{table}\"",
                        parts.join(" || ' | ' || ")
                    )))
                    .await
                    .unwrap();
                for row in rows {
                    let v: String = row.try_get("", "v").unwrap();
                    out.push_str(&table);
                    out.push_str(": ");
                    out.push_str(&v);
                    out.push('\n');
                }
            }
        }
        DbBackend::Postgres => {
            let tables = db
                .query_all_raw(query(
                    "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                        .into(),
                ))
                .await
                .unwrap();
            for table in tables {
                let table: String = table.try_get("", "name").unwrap();
                let rows = db
                    .query_all_raw(query(format!("SELECT t::text AS v FROM \"{table}\" t")))
                    .await
                    .unwrap();
                for row in rows {
                    let v: String = row.try_get("", "v").unwrap();
                    out.push_str(&table);
                    out.push_str(": ");
                    out.push_str(&v);
                    out.push('\n');
                }
            }
        }
        other => panic!("unsupported backend {other:?}"),
    }
    out
}

/// The lines of a dump that contain `needle` as text or as hex (case-insensitive).
pub fn find_in_dump<'a>(dump: &'a str, needle: &str) -> Vec<&'a str> {
    let plain = needle.to_lowercase();
    let hex = hex::encode(needle.as_bytes());
    dump.lines()
        .filter(|line| {
            let line = line.to_lowercase();
            line.contains(&plain) || line.contains(&hex)
        })
        .collect()
}

/// The code in the newest email to `address` that reached the SMTP server (waits for it).
pub async fn last_email_code(app: &TestApp, address: &str) -> String {
    for _ in 0..100 {
        let code = app
            .smtp
            .messages()
            .iter()
            .rev()
            .filter(|mail| mail.contains(address))
            .find_map(|mail| {
                mail.lines().find_map(|line| {
                    let (code, rest) = line.split_at_checked(6)?;
                    (code.bytes().all(|b| b.is_ascii_digit()) && rest.starts_with(' '))
                        .then(|| code.to_owned())
                })
            });
        if let Some(code) = code {
            return code;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no code email to {address}");
}

/// The stored texts of the emails to `address`, newest first.
pub async fn stored_emails(app: &TestApp, address: &str) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT body_text FROM notifications WHERE channel = 'email' AND recipient = $1 ORDER BY created_at DESC, id DESC"
        }
        _ => {
            "SELECT body_text FROM notifications WHERE channel = 'email' AND recipient = ? ORDER BY created_at DESC, id DESC"
        }
    };
    app.db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [address.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "body_text").unwrap())
        .collect()
}
