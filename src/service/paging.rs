//! Paging for every list: `?page=&per_page=` (at most 100) with the total.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ServiceError;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
pub struct PageRequest {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl PageRequest {
    /// (page, per_page, offset), or the fields that are out of range.
    pub fn resolve(&self) -> Result<(i64, i64, i64), ServiceError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=1_000_000).contains(&page) {
            return Err(ServiceError::invalid(
                "page",
                "range",
                "must be at least 1",
                "页码须从1开始",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ServiceError::invalid(
                "per_page",
                "range",
                format!("must be between 1 and {MAX_PER_PAGE}"),
                format!("每页条数应在1到{MAX_PER_PAGE}之间"),
            ));
        }
        Ok((page, per_page, (page - 1) * per_page))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}
