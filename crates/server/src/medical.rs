//! The medical history's sealed versions, shared by the customer's and the integrator's medical
//! routes and the GDPR export: sealing and opening (AES-256-GCM, [`crate::crypto`]), the next
//! version, and the audit entry of every access.

use portal_api_types::{
    ErrorCode,
    medical::{MedicalHistory, MedicalHistoryVersion},
};
use portal_db::{
    DbError, audit,
    companies::Company,
    medical::{self, StoredVersion},
};
use portal_domain::{CompanyId, CustomerId, Industry};

use crate::{
    crypto::associated_data,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// 404 unless `company` is a healthcare business.
pub fn require_healthcare(company: &Company) -> ApiResult<()> {
    if company.industry == Industry::Healthcare {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}

/// Who wrote a version, as customers see it.
pub fn written_by(actor: &str) -> String {
    if actor == "customer" {
        "customer".into()
    } else {
        "practice".into()
    }
}

/// Opens a stored version.
pub fn open(state: &AppState, stored: &StoredVersion) -> ApiResult<MedicalHistoryVersion> {
    let plaintext = state
        .secrets
        .medical
        .open(stored)
        .map_err(ApiError::internal)?;
    let content: MedicalHistory = serde_json::from_slice(&plaintext).map_err(ApiError::internal)?;
    Ok(MedicalHistoryVersion {
        version: stored.version,
        created_at: stored.created_at,
        written_by: written_by(&stored.actor),
        content,
    })
}

/// Every version of a customer, opened, oldest first.
pub async fn all_versions(
    state: &AppState,
    company: CompanyId,
    customer: CustomerId,
) -> ApiResult<Vec<MedicalHistoryVersion>> {
    medical::list(&state.db, company, customer)
        .await?
        .iter()
        .map(|v| open(state, v))
        .collect()
}

/// Seals and stores `content` as the customer's next version. Two writers racing for the same
/// number: the loser tries the next one (the unique index guarantees no version is overwritten).
pub async fn write_version(
    state: &AppState,
    company: CompanyId,
    customer: CustomerId,
    content: &MedicalHistory,
    actor: &str,
) -> ApiResult<MedicalHistoryVersion> {
    let plaintext = serde_json::to_vec(content).map_err(ApiError::internal)?;
    for _ in 0..5 {
        let version = medical::next_version(&state.db, company, customer).await?;
        let sealed = state
            .secrets
            .medical
            .seal(&plaintext, &associated_data(company, customer, version))
            .map_err(ApiError::internal)?;
        match medical::insert(
            &state.db,
            company,
            customer,
            version,
            sealed,
            actor,
            state.clock.now(),
        )
        .await
        {
            Ok(stored) => return open(state, &stored),
            Err(DbError::Conflict(_)) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::new(
        ErrorCode::Conflict,
        "The medical history is being changed right now; please try again.",
    ))
}

/// Records an access in the audit log.
pub async fn audit_access(
    state: &AppState,
    company: CompanyId,
    customer: CustomerId,
    actor: &str,
    action: &str,
    target: Option<String>,
) -> ApiResult<()> {
    audit::record(
        &state.db,
        audit::AuditEntry {
            company_id: company,
            customer_id: Some(customer),
            actor,
            action,
            target,
            ip: None,
        },
        state.clock.now(),
    )
    .await?;
    Ok(())
}
