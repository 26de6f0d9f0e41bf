//! Health data at rest: AES-256-GCM with a key id per ciphertext, so keys can rotate.
//!
//! Each version is sealed with a fresh 96-bit nonce from the OS generator; the associated data
//! binds the ciphertext to its company, customer and version number, so a row copied onto another
//! customer or version does not open. Keys come from configuration (`PORTAL__AUTH__MEDICAL_KEYS`:
//! `id=<64 hex>` entries separated by commas or new lines, `PORTAL__AUTH__MEDICAL_KEY_ID` naming
//! the current one, default the last) or, in development only, from `data_dir/secrets/medical.keys`.

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use anyhow::{Context, bail};
use portal_db::medical::{self, Sealed, StoredVersion};
use portal_domain::{CompanyId, CustomerId};
use rand::TryRngCore;
use std::collections::BTreeMap;

/// Failure to seal or open.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The ciphertext names a key this server does not have.
    #[error("unknown medical key id `{0}`")]
    UnknownKey(String),
    /// Authentication failed: wrong key, tampered data, or data moved to another row.
    #[error("medical data does not authenticate")]
    Corrupt,
    /// The OS random generator failed.
    #[error("random generator: {0}")]
    Random(String),
}

/// The medical keys: every key that may still open old data, and the one new data is sealed with.
#[derive(Clone)]
pub struct MedicalKeys {
    current: String,
    keys: BTreeMap<String, [u8; 32]>,
}

impl std::fmt::Debug for MedicalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MedicalKeys(current: {}, ids: {:?}, [redacted])",
            self.current,
            self.keys.keys().collect::<Vec<_>>()
        )
    }
}

/// The associated data of one version.
pub fn associated_data(company: CompanyId, customer: CustomerId, version: i32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(36);
    aad.extend_from_slice(company.as_uuid().as_bytes());
    aad.extend_from_slice(customer.as_uuid().as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    aad
}

impl MedicalKeys {
    /// Parses `id=hex` entries (comma- or line-separated); `current` names the sealing key, by
    /// default the last entry.
    pub fn parse(text: &str, current: Option<&str>) -> anyhow::Result<Self> {
        let mut keys = BTreeMap::new();
        let mut last = None;
        for entry in text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (id, hex_key) = entry
                .split_once('=')
                .context("a medical key entry is `id=<64 hex digits>`")?;
            let id = id.trim();
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                bail!("medical key id `{id}`: use letters, digits, `-` and `_`");
            }
            let bytes = hex::decode(hex_key.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .with_context(|| format!("medical key `{id}` must be 64 hex digits (256 bits)"))?;
            if keys.insert(id.to_owned(), bytes).is_some() {
                bail!("medical key id `{id}` appears twice");
            }
            last = Some(id.to_owned());
        }
        let current = match current.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => c.to_owned(),
            None => last.context("no medical key given")?,
        };
        if !keys.contains_key(&current) {
            bail!("the current medical key `{current}` is not among the keys");
        }
        Ok(Self { current, keys })
    }

    /// The id new data is sealed with.
    pub fn current_id(&self) -> &str {
        &self.current
    }

    /// Every key id.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// A fresh random 256-bit key as hex.
    pub fn random_key_hex() -> Result<String, CryptoError> {
        let mut key = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut key)
            .map_err(|e| CryptoError::Random(e.to_string()))?;
        Ok(hex::encode(key))
    }

    fn cipher(&self, id: &str) -> Result<Aes256Gcm, CryptoError> {
        let key = self
            .keys
            .get(id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
        Aes256Gcm::new_from_slice(key).map_err(|_| CryptoError::Corrupt)
    }

    /// Seals `plaintext` with the current key.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, CryptoError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|e| CryptoError::Random(e.to_string()))?;
        let ciphertext = self
            .cipher(&self.current)?
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::Corrupt)?;
        Ok(Sealed {
            ciphertext,
            nonce: nonce.to_vec(),
            key_id: self.current.clone(),
        })
    }

    /// Opens a stored version.
    pub fn open(&self, stored: &StoredVersion) -> Result<Vec<u8>, CryptoError> {
        let nonce: [u8; 12] = stored
            .nonce
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Corrupt)?;
        let aad = associated_data(stored.company_id, stored.customer_id, stored.version);
        self.cipher(&stored.key_id)?
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &stored.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Corrupt)
    }
}

/// Re-seals every version not yet sealed with the current key; returns how many. Each version is
/// opened with its old key and sealed anew, and written only if nobody re-sealed it meanwhile.
pub async fn rotate(db: &portal_db::DatabaseConnection, keys: &MedicalKeys) -> anyhow::Result<u64> {
    let mut done = 0;
    let mut failed = std::collections::HashSet::new();
    loop {
        let batch =
            medical::sealed_with_other_keys(db, keys.current_id(), 200 + failed.len() as u64)
                .await?;
        let todo: Vec<_> = batch
            .into_iter()
            .filter(|v| !failed.contains(&v.id))
            .collect();
        if todo.is_empty() {
            break;
        }
        for version in todo {
            let plaintext = match keys.open(&version) {
                Ok(p) => p,
                Err(err) => {
                    tracing::error!(version = %version.id, error = %err, "cannot open a medical history version");
                    failed.insert(version.id);
                    continue;
                }
            };
            let aad = associated_data(version.company_id, version.customer_id, version.version);
            let sealed = keys.seal(&plaintext, &aad)?;
            if medical::reseal(db, version.id, &version.key_id, sealed).await? {
                done += 1;
            }
        }
    }
    if !failed.is_empty() {
        bail!(
            "{} version(s) could not be opened with the configured keys (re-sealed {done})",
            failed.len()
        );
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(sealed: Sealed, version: i32) -> StoredVersion {
        StoredVersion {
            id: uuid::Uuid::now_v7(),
            company_id: CompanyId::from_uuid(uuid::Uuid::nil()),
            customer_id: CustomerId::from_uuid(uuid::Uuid::max()),
            version,
            ciphertext: sealed.ciphertext,
            nonce: sealed.nonce,
            key_id: sealed.key_id,
            actor: "customer".into(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn seals_opens_and_binds_to_its_row() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let keys = MedicalKeys::parse(&format!("k1={a}\nk2={b}"), None).unwrap();
        assert_eq!(keys.current_id(), "k2");
        let aad = associated_data(
            CompanyId::from_uuid(uuid::Uuid::nil()),
            CustomerId::from_uuid(uuid::Uuid::max()),
            3,
        );
        let sealed = keys.seal(b"penicillin", &aad).unwrap();
        assert_eq!(sealed.key_id, "k2");
        assert!(!sealed.ciphertext.windows(10).any(|w| w == b"penicillin"));
        let row = stored(sealed.clone(), 3);
        assert_eq!(keys.open(&row).unwrap(), b"penicillin");
        // Moved to another version number: refused.
        assert!(matches!(
            keys.open(&stored(sealed.clone(), 4)),
            Err(CryptoError::Corrupt)
        ));
        // A key that is gone: refused, naming it.
        let only_a = MedicalKeys::parse(&format!("k1={a}"), None).unwrap();
        assert!(matches!(only_a.open(&row), Err(CryptoError::UnknownKey(id)) if id == "k2"));
        // Two seals of the same text differ (fresh nonce).
        assert_ne!(
            keys.seal(b"x", &aad).unwrap().nonce,
            keys.seal(b"x", &aad).unwrap().nonce
        );
    }

    #[test]
    fn parsing_refuses_bad_keys() {
        assert!(MedicalKeys::parse("k1=abcd", None).is_err());
        assert!(MedicalKeys::parse("", None).is_err());
        let a = "a".repeat(64);
        assert!(MedicalKeys::parse(&format!("k1={a}"), Some("k9")).is_err());
        assert!(MedicalKeys::parse(&format!("k1={a},k1={a}"), None).is_err());
        let keys = MedicalKeys::parse(&format!("k1={a}, k2={a}"), Some("k1")).unwrap();
        assert_eq!(keys.current_id(), "k1");
        assert!(!format!("{keys:?}").contains(&a), "keys never in Debug");
    }
}
