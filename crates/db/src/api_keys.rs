//! Integrator API keys.
//!
//! A key reads `pk_<prefix>_<secret>`: an 8-character prefix that finds the row (and may appear in
//! logs and listings) and 256 random bits from the OS generator, base64url-encoded. Only the prefix
//! and the SHA-256 of the whole key are stored, so the database never holds a usable key. A plain
//! hash (no salt, no slow KDF) suffices: the input is 256 random bits, not a password.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use portal_domain::{
    CompanyId, SecretString,
    ids::{ApiKeyId, BranchId},
};
use portal_entity::api_keys as k;
use rand::TryRngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::DbError;

const KEY_PREFIX: &str = "pk_";
const PREFIX_LEN: usize = 8;
const SECRET_BYTES: usize = 32;
/// 32 bytes in unpadded base64.
const SECRET_LEN: usize = 43;
const PREFIX_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// What an API key may do. A request needs the scope of the resource it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiScope {
    /// Book, move and cancel appointments.
    Appointments,
    /// Create, update and read customers.
    Customers,
    /// Branches, staff, services, working hours and time off.
    Catalog,
    /// Manage webhook endpoints.
    Webhooks,
    /// Read and write customers' medical history (health data; every access is audited).
    Medical,
}

impl ApiScope {
    /// Every scope, in display order.
    pub const ALL: [Self; 5] = [
        Self::Appointments,
        Self::Customers,
        Self::Catalog,
        Self::Webhooks,
        Self::Medical,
    ];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Appointments => "appointments",
            Self::Customers => "customers",
            Self::Catalog => "catalog",
            Self::Webhooks => "webhooks",
            Self::Medical => "medical",
        }
    }

    /// Parses one scope name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Parses a space-separated list; `Err` names the first unknown entry. Duplicates collapse.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        let mut scopes = text
            .split_whitespace()
            .map(|name| Self::parse(name).ok_or_else(|| name.to_owned()))
            .collect::<Result<Vec<_>, _>>()?;
        scopes.sort();
        scopes.dedup();
        Ok(scopes)
    }
}

impl std::fmt::Display for ApiScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn scopes_text(scopes: &[ApiScope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tenant filter of every integrator request. Only [`authenticate`] builds one, after checking
/// the key, so a handler cannot act for a company (or branch) the key does not belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegratorScope {
    company_id: CompanyId,
    branch_id: Option<BranchId>,
    key_id: ApiKeyId,
    key_prefix: String,
    scopes: Vec<ApiScope>,
}

impl IntegratorScope {
    /// The company the key belongs to.
    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }

    /// `Some` when the key is bound to one branch: it sees and changes only that branch.
    pub fn branch_id(&self) -> Option<BranchId> {
        self.branch_id
    }

    /// The key's id (idempotency records belong to it).
    pub fn key_id(&self) -> ApiKeyId {
        self.key_id
    }

    /// The key's public prefix, for logs.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    /// What the key may do.
    pub fn scopes(&self) -> &[ApiScope] {
        &self.scopes
    }

    /// Whether the key has `scope`.
    pub fn allows(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// An API key as listed to operators: never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    /// Id.
    pub id: ApiKeyId,
    /// Company.
    pub company_id: CompanyId,
    /// The branch it is bound to, if any.
    pub branch_id: Option<BranchId>,
    /// Operator's label.
    pub name: String,
    /// Public prefix.
    pub prefix: String,
    /// Scopes.
    pub scopes: Vec<ApiScope>,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last authenticated use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key just created: the only moment its secret exists outside the integrator's hands.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    /// The stored facts.
    pub info: ApiKeyInfo,
    /// The whole key, `pk_<prefix>_<secret>`; show it once.
    pub key: SecretString,
}

/// What a new key is made of.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Company.
    pub company_id: CompanyId,
    /// Restrict to one branch (checked by the caller to belong to the company).
    pub branch_id: Option<BranchId>,
    /// Operator's label.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<ApiScope>,
}

impl TryFrom<k::Model> for ApiKeyInfo {
    type Error = DbError;
    fn try_from(m: k::Model) -> Result<Self, DbError> {
        Ok(Self {
            id: ApiKeyId::from_uuid(m.id),
            company_id: CompanyId::from_uuid(m.company_id),
            branch_id: m.branch_id.map(BranchId::from_uuid),
            name: m.name,
            prefix: m.prefix,
            scopes: ApiScope::parse_list(&m.scopes)
                .map_err(|s| DbError::Corrupt(format!("api_keys.scopes: {s}")))?,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        })
    }
}

/// SHA-256 of the whole key, lower-case hex: what `api_keys.key_hash` holds.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], DbError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| DbError::Setup(format!("OS random generator: {e}")))?;
    Ok(bytes)
}

fn new_key() -> Result<(String, String), DbError> {
    // 32 symbols: each byte picks one without bias (256 is a multiple of 32).
    let prefix: String = random_bytes::<PREFIX_LEN>()?
        .iter()
        .map(|b| char::from(PREFIX_ALPHABET[usize::from(*b) % PREFIX_ALPHABET.len()]))
        .collect();
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<SECRET_BYTES>()?);
    Ok((prefix.clone(), format!("{KEY_PREFIX}{prefix}_{secret}")))
}

/// Splits `pk_<prefix>_<secret>` and returns the prefix when the shape is right.
fn key_prefix(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(KEY_PREFIX)?;
    let prefix = rest.get(..PREFIX_LEN)?;
    let secret = rest.get(PREFIX_LEN..)?.strip_prefix('_')?;
    let ok = secret.len() == SECRET_LEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && prefix.bytes().all(|b| PREFIX_ALPHABET.contains(&b));
    ok.then_some(prefix)
}

/// Creates a key and returns it once; only its prefix and hash are stored.
#[tracing::instrument(skip_all, fields(company = %new.company_id))]
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewApiKey,
    now: DateTime<Utc>,
) -> Result<CreatedApiKey, DbError> {
    // A prefix collision (1 in 2^40 per existing key) just draws again.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (prefix, key) = new_key()?;
        let model = k::ActiveModel {
            id: Set(ApiKeyId::new().as_uuid()),
            company_id: Set(new.company_id.as_uuid()),
            branch_id: Set(new.branch_id.map(BranchId::as_uuid)),
            name: Set(new.name.clone()),
            prefix: Set(prefix),
            key_hash: Set(hash_key(&key)),
            scopes: Set(scopes_text(&new.scopes)),
            created_at: Set(now),
            last_used_at: Set(None),
            revoked_at: Set(None),
        };
        match model.insert(db).await.map_err(DbError::from) {
            Ok(model) => {
                return Ok(CreatedApiKey {
                    info: model.try_into()?,
                    key: SecretString::new(key),
                });
            }
            Err(DbError::Conflict(_)) if attempts < 3 => continue,
            Err(err) => return Err(err),
        }
    }
}

/// Checks a presented key: right shape, a row with its prefix, a matching hash (compared in
/// constant time), not revoked. Marks the key used at most once a minute, so the hot path stays
/// read-only. `None` for anything wrong; the caller answers the same 401 in every case.
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    db: &impl ConnectionTrait,
    presented: &str,
    now: DateTime<Utc>,
) -> Result<Option<IntegratorScope>, DbError> {
    let Some(prefix) = key_prefix(presented) else {
        return Ok(None);
    };
    let Some(model) = k::Entity::find()
        .filter(k::Column::Prefix.eq(prefix))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let presented_hash = hash_key(presented);
    let matches: bool = presented_hash
        .as_bytes()
        .ct_eq(model.key_hash.as_bytes())
        .into();
    if !matches || model.revoked_at.is_some() {
        return Ok(None);
    }
    if model
        .last_used_at
        .is_none_or(|at| now - at >= Duration::minutes(1))
    {
        k::Entity::update_many()
            .col_expr(k::Column::LastUsedAt, Expr::value(now))
            .filter(k::Column::Id.eq(model.id))
            .exec(db)
            .await?;
    }
    let info = ApiKeyInfo::try_from(model)?;
    Ok(Some(IntegratorScope {
        company_id: info.company_id,
        branch_id: info.branch_id,
        key_id: info.id,
        key_prefix: info.prefix,
        scopes: info.scopes,
    }))
}

/// Revokes the key with `prefix`; false when there is none or it was already revoked.
pub async fn revoke(
    db: &impl ConnectionTrait,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let result = k::Entity::update_many()
        .col_expr(k::Column::RevokedAt, Expr::value(now))
        .filter(k::Column::Prefix.eq(prefix))
        .filter(k::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Every key of a company, oldest first (revoked ones too).
pub async fn list(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<Vec<ApiKeyInfo>, DbError> {
    k::Entity::find()
        .filter(k::Column::CompanyId.eq(company.as_uuid()))
        .order_by_asc(k::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ApiKeyInfo::try_from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_documented_shape() {
        let (prefix, key) = new_key().unwrap();
        assert_eq!(prefix.len(), 8);
        assert_eq!(key.len(), 3 + 8 + 1 + 43);
        assert_eq!(key_prefix(&key), Some(prefix.as_str()));
        assert_ne!(new_key().unwrap().1, key);
        assert_eq!(hash_key(&key).len(), 64);
        for bad in [
            "",
            "pk_",
            "pk_abcdefgh",
            "pk_abcdefgh_short",
            &key[..key.len() - 1],
            &format!("{key}x"),
            &key.replacen("pk_", "sk_", 1),
        ] {
            assert_eq!(key_prefix(bad), None, "{bad}");
        }
    }

    #[test]
    fn scopes_parse_and_refuse_unknown_names() {
        assert_eq!(
            ApiScope::parse_list("catalog  customers catalog"),
            Ok(vec![ApiScope::Customers, ApiScope::Catalog])
        );
        assert_eq!(ApiScope::parse_list("catalog admin"), Err("admin".into()));
        assert_eq!(
            scopes_text(&ApiScope::ALL),
            "appointments customers catalog webhooks medical"
        );
    }
}
