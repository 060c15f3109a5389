//! Every type that crosses the IPC seam, exported to TypeScript in one call so the generated
//! files can be written and checked from one place (`tests/bindings.rs`).

use std::path::Path;
use ts_rs::{Config, TS};

pub fn export_all(out_dir: &Path) -> Result<(), ts_rs::ExportError> {
    let config = Config::new().with_out_dir(out_dir);
    crate::error::Error::export_all(&config)?;
    crate::fields::OperationSpec::export_all(&config)?;
    crate::plan::PlannedChange::export_all(&config)?;
    crate::plan::PlanView::export_all(&config)?;
    crate::sessions::OpenedRecord::export_all(&config)?;
    crate::sessions::UndoStart::export_all(&config)?;
    crate::history::HistoryPage::export_all(&config)?;
    crate::history::HistoryFilter::export_all(&config)?;
    crate::operations::OperationSummary::export_all(&config)?;
    crate::pickers::ChoicePage::export_all(&config)?;
    crate::people::ConnectionResult::export_all(&config)?;
    crate::people::PersonGroup::export_all(&config)?;
    crate::people::PersonView::export_all(&config)?;
    crate::people::PersonReview::export_all(&config)?;
    crate::people::PersonSaveResult::export_all(&config)?;
    crate::people::links::Decision::export_all(&config)?;
    crate::http::RetryNotice::export_all(&config)?;
    crate::desk::RecentRecord::export_all(&config)?;
    crate::desk::Draft::export_all(&config)?;
    crate::fields::UpdateReceipt::<serde_json::Value>::export_all(&config)?;
    crate::avepoint::UserTarget::export_all(&config)?;
    crate::connection::ConnectionList::export_all(&config)?;
    crate::connection::SaveOutcome::export_all(&config)?;
    crate::connection::ImportSummary::export_all(&config)?;
    crate::profiles::ProfileDraft::export_all(&config)?;
    crate::vendors::VendorSpec::export_all(&config)?;
    crate::connection_test::ConnectionTestReport::export_all(&config)?;
    crate::partner_center::UserTarget::export_all(&config)?;
    crate::partner_center::Page::<crate::partner_center::CustomerSummary>::export_all(&config)?;
    crate::partner_center::Page::<crate::partner_center::UserSummary>::export_all(&config)?;
    crate::msp360::UserTarget::export_all(&config)?;
    crate::msp360::UserSummary::export_all(&config)?;
    crate::msp360::Company::export_all(&config)?;
    crate::softwareone::AccountUserTarget::export_all(&config)?;
    crate::softwareone::AccountList::export_all(&config)?;
    crate::softwareone::AccountUserList::export_all(&config)?;
    crate::bulk::Checked::export_all(&config)?;
    crate::bulk::Progress::export_all(&config)?;
    crate::bulk::Count::export_all(&config)?;
    crate::bulk::Saved::export_all(&config)?;
    crate::bulk::BulkAction::export_all(&config)?;
    crate::history::JobRowView::export_all(&config)?;
    Ok(())
}
