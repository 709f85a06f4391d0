//! The two backends as types: one struct per sqlx driver. Each
//! domain's file (`official`, `events`, `accounts`, `lab`, `database`)
//! stamps its SQL onto both with a macro, so they run the same statements.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

macro_rules! pool_store {
    ($store:ident, $pool:ty) => {
        /// The store on this sqlx driver; see the module docs.
        #[derive(Clone)]
        pub struct $store {
            pub(super) pool: $pool,
        }

        impl $store {
            pub fn new(pool: $pool) -> Self {
                Self { pool }
            }

            pub fn pool(&self) -> &$pool {
                &self.pool
            }
        }
    };
}

pool_store!(SqliteStore, sqlx::SqlitePool);
pool_store!(PostgresStore, sqlx::PgPool);

/// The sqlx database of a store, for the helpers' transaction types.
pub trait HasDb {
    type Db: sqlx::Database;
}
impl HasDb for SqliteStore {
    type Db = sqlx::Sqlite;
}
impl HasDb for PostgresStore {
    type Db = sqlx::Postgres;
}
