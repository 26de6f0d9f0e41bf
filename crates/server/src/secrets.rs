//! Server secrets: from configuration, or — in development only — generated once under `data_dir`.

use anyhow::{Context, bail};
use portal_domain::SecretString;
use rand::TryRngCore;
use std::path::Path;

use crate::config::{Environment, Settings};

/// Minimum secret length: 256 bits.
const MIN_SECRET_BYTES: usize = 32;

/// The keys the server signs and hashes with.
#[derive(Clone)]
pub struct Secrets {
    /// HS256 key for access tokens.
    pub jwt: SecretString,
    /// HMAC-SHA256 key for stored sign-in codes.
    pub otp_hmac: SecretString,
    /// VAPID private key for Web Push (base64url P-256 scalar).
    pub vapid: SecretString,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

/// Resolves every secret. Production: a missing one stops the start with a message naming the
/// variable to set. Development: a missing one is generated and kept in `data_dir/secrets/`.
pub fn resolve(settings: &Settings) -> anyhow::Result<Secrets> {
    let dir = settings.data_dir.join("secrets");
    Ok(Secrets {
        jwt: one(
            settings,
            settings.auth.jwt_secret.as_ref(),
            "PORTAL__AUTH__JWT_SECRET",
            &dir,
            "jwt.key",
        )?,
        otp_hmac: one(
            settings,
            settings.auth.otp_hmac_key.as_ref(),
            "PORTAL__AUTH__OTP_HMAC_KEY",
            &dir,
            "otp-hmac.key",
        )?,
        vapid: vapid(settings, &dir)?,
    })
}

/// The VAPID key: configured, or (development) generated once into `dir/vapid.key`.
fn vapid(settings: &Settings, dir: &Path) -> anyhow::Result<SecretString> {
    const VAR: &str = "PORTAL__PUSH__VAPID_PRIVATE_KEY";
    if let Some(key) = settings
        .push
        .vapid_private_key
        .as_ref()
        .filter(|k| !k.is_empty())
    {
        portal_notify::push::vapid_public_key(key)
            .map_err(|_| anyhow::anyhow!("{VAR} is not a base64url P-256 private key"))?;
        return Ok(key.clone());
    }
    if settings.environment == Environment::Production {
        bail!("missing secret: set {VAR} (base64url of a P-256 private key, 32 bytes)");
    }
    let path = dir.join("vapid.key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let key = SecretString::new(existing.trim());
        if portal_notify::push::vapid_public_key(&key).is_ok() {
            return Ok(key);
        }
    }
    let key = portal_notify::push::generate_vapid_key().context("generating a VAPID key")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_private(&path, key.expose()).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a development VAPID key");
    Ok(key)
}

fn one(
    settings: &Settings,
    configured: Option<&SecretString>,
    var: &str,
    dir: &Path,
    file: &str,
) -> anyhow::Result<SecretString> {
    if let Some(secret) = configured.filter(|s| !s.is_empty()) {
        if secret.expose().len() < MIN_SECRET_BYTES {
            bail!("{var} must be at least {MIN_SECRET_BYTES} bytes (256 bits)");
        }
        return Ok(secret.clone());
    }
    if settings.environment == Environment::Production {
        bail!(
            "missing secret: set {var} (at least {MIN_SECRET_BYTES} random bytes, e.g. `openssl rand -hex 32`)"
        );
    }
    let path = dir.join(file);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= MIN_SECRET_BYTES {
            return Ok(SecretString::new(existing));
        }
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .context("reading the OS random generator")?;
    let value = hex::encode(bytes);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_private(&path, &value).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a development secret");
    Ok(SecretString::new(value))
}

fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(value.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(env: Environment, dir: &Path) -> Settings {
        let mut s = Settings::defaults().unwrap();
        s.environment = env;
        s.data_dir = dir.to_owned();
        s
    }

    #[test]
    fn development_generates_once_and_keeps() {
        let dir = std::env::temp_dir().join(format!("portal-secrets-{}", uuid::Uuid::new_v4()));
        let s = settings(Environment::Development, &dir);
        let first = resolve(&s).unwrap();
        let second = resolve(&s).unwrap();
        assert_eq!(first.jwt.expose(), second.jwt.expose());
        assert_ne!(first.jwt.expose(), first.otp_hmac.expose());
        assert_eq!(first.jwt.expose().len(), 64);
        assert_eq!(first.vapid.expose(), second.vapid.expose());
        assert!(portal_notify::push::vapid_public_key(&first.vapid).is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn production_names_the_missing_secret() {
        let dir = std::env::temp_dir().join(format!("portal-secrets-{}", uuid::Uuid::new_v4()));
        let mut s = settings(Environment::Production, &dir);
        let err = resolve(&s).unwrap_err().to_string();
        assert!(err.contains("PORTAL__AUTH__JWT_SECRET"), "{err}");
        s.auth.jwt_secret = Some(SecretString::new("x".repeat(40)));
        let err = resolve(&s).unwrap_err().to_string();
        assert!(err.contains("PORTAL__AUTH__OTP_HMAC_KEY"), "{err}");
        s.auth.otp_hmac_key = Some(SecretString::new("short"));
        assert!(
            resolve(&s)
                .unwrap_err()
                .to_string()
                .contains("at least 32 bytes")
        );
        assert!(!dir.exists(), "production never writes secrets to disk");
    }

    #[test]
    fn production_needs_a_valid_vapid_key() {
        let dir = std::env::temp_dir().join(format!("portal-secrets-{}", uuid::Uuid::new_v4()));
        let mut s = settings(Environment::Production, &dir);
        s.auth.jwt_secret = Some(SecretString::new("x".repeat(40)));
        s.auth.otp_hmac_key = Some(SecretString::new("y".repeat(40)));
        let err = resolve(&s).unwrap_err().to_string();
        assert!(err.contains("PORTAL__PUSH__VAPID_PRIVATE_KEY"), "{err}");
        s.push.vapid_private_key = Some(SecretString::new("not-a-key"));
        assert!(resolve(&s).is_err());
        let key = portal_notify::push::generate_vapid_key().unwrap();
        s.push.vapid_private_key = Some(key.clone());
        assert_eq!(resolve(&s).unwrap().vapid.expose(), key.expose());
        assert!(!dir.exists());
    }
}
