-- Held for a migration of another branch; dropped when that branch is merged.
SELECT 1;
