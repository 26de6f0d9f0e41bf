//! Server secrets: from configuration, or — in development only — generated once under `data_dir`.

use anyhow::{Context, bail};
use portal_domain::SecretString;
use rand::TryRngCore;
use std::path::Path;

use crate::{
    config::{Environment, Settings},
    crypto::MedicalKeys,
};

/// The development key file for medical data, under `data_dir/secrets/`.
const MEDICAL_KEYS_FILE: &str = "medical.keys";

/// Minimum secret length: 256 bits.
const MIN_SECRET_BYTES: usize = 32;

/// The keys the server signs and hashes with.
#[derive(Clone)]
pub struct Secrets {
    /// HS256 key for access tokens.
    pub jwt: SecretString,
    /// HMAC-SHA256 key for stored sign-in codes.
    pub otp_hmac: SecretString,
    /// AES-256-GCM keys for medical history.
    pub medical: MedicalKeys,
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
        medical: medical_keys(settings, &dir)?,
    })
}

fn medical_keys(settings: &Settings, dir: &Path) -> anyhow::Result<MedicalKeys> {
    let current = settings.auth.medical_key_id.as_deref();
    if let Some(keys) = settings
        .auth
        .medical_keys
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        return MedicalKeys::parse(keys.expose(), current).context("PORTAL__AUTH__MEDICAL_KEYS");
    }
    if settings.environment == Environment::Production {
        bail!(
            "missing secret: set PORTAL__AUTH__MEDICAL_KEYS (`id=<64 hex digits>`, e.g. `k1=$(openssl rand -hex 32)`)"
        );
    }
    let path = dir.join(MEDICAL_KEYS_FILE);
    if !path.exists() {
        add_development_medical_key(settings)?;
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    MedicalKeys::parse(&text, current).with_context(|| path.display().to_string())
}

/// Development only: appends a new random medical key to `data_dir/secrets/medical.keys`, which
/// makes it the current one (`portal keys rotate` then re-seals everything with it). Returns its id.
/// With configured keys, or in production, operators add keys to the configuration instead.
pub fn add_development_medical_key(settings: &Settings) -> anyhow::Result<String> {
    if settings.environment == Environment::Production
        || settings
            .auth
            .medical_keys
            .as_ref()
            .is_some_and(|s| !s.is_empty())
    {
        bail!(
            "medical keys come from PORTAL__AUTH__MEDICAL_KEYS: add the new key there (and set PORTAL__AUTH__MEDICAL_KEY_ID), then run `portal keys rotate`"
        );
    }
    let dir = settings.data_dir.join("secrets");
    let path = dir.join(MEDICAL_KEYS_FILE);
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let count = existing.lines().filter(|l| !l.trim().is_empty()).count();
    let id = format!("k{}", count + 1);
    let key = MedicalKeys::random_key_hex().map_err(|e| anyhow::anyhow!(e))?;
    let mut text = existing.trim_end().to_owned();
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("{id}={key}\n"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    write_private(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), key = %id, "generated a development medical key");
    Ok(id)
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
        assert_eq!(first.medical.current_id(), "k1");
        assert_eq!(
            second.medical.current_id(),
            "k1",
            "the generated key is kept"
        );
        assert_eq!(add_development_medical_key(&s).unwrap(), "k2");
        let third = resolve(&s).unwrap();
        assert_eq!(third.medical.current_id(), "k2");
        assert_eq!(
            third.medical.ids().count(),
            2,
            "old keys stay to open old data"
        );
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
        s.auth.otp_hmac_key = Some(SecretString::new("y".repeat(40)));
        let err = resolve(&s).unwrap_err().to_string();
        assert!(err.contains("PORTAL__AUTH__MEDICAL_KEYS"), "{err}");
        s.auth.medical_keys = Some(SecretString::new(format!("k1={}", "c".repeat(64))));
        assert_eq!(resolve(&s).unwrap().medical.current_id(), "k1");
        assert!(!dir.exists(), "production never writes secrets to disk");
    }
}
