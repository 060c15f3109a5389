// Headlines for each error code; the backend's message carries the specifics and the next step.
import type { ErrorCode } from "./bindings/ErrorCode";

export const errorTitles: Record<ErrorCode, string> = {
  invalid_input: "Some fields need attention",
  invalid_connection: "This connection's settings need attention",
  unreachable: "Can't reach the vendor",
  sign_in_rejected: "The sign-in was rejected",
  forbidden: "Not allowed",
  not_found: "Not found",
  vendor_rejected: "The vendor refused the change",
  rate_limited: "The vendor is busy",
  vendor_unavailable: "The vendor is having problems",
  malformed_response: "Unexpected reply from the vendor",
  response_too_large: "The vendor's reply was too large",
  keychain_unavailable: "The system keychain is not available",
  profile_storage: "Saved connections could not be read or written",
  secret_missing: "This connection has no secret yet",
  changed_since_review: "The record changed since your review",
  internal: "Something went wrong in Switchboard",
};
