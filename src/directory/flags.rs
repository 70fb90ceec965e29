//! The account flags of the product documents (Delegate, Unsigned
//! Containers, Release Protections, Cloud Recovery, No 2nd Factor), as
//! stored on a user and described once in [`FLAGS`], the table every front
//! end reads to name, show and write them. Plain data; re-exported by
//! `model`, where the user record that carries them lives.

use serde::{Deserialize, Serialize};

/// Per-user flags from the product documents, readable over LDAP and SCIM.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountFlags {
    /// Delegated Administrator of the user's own organization.
    pub delegate: bool,
    pub unsigned_containers: bool,
    pub release_protections: bool,
    pub cloud_recovery: bool,
    pub no_second_factor: bool,
    /// Storage quota in bytes; `None` = no quota set.
    pub storage_quota: Option<u64>,
}

/// One account flag, described once: every front end names and reads it
/// through this table (SCIM's dirgate extension and the admin API by `name`,
/// LDAP by `ldap`).
#[derive(Debug)]
pub struct Flag {
    /// The JSON name (SCIM's dirgate extension, the admin API).
    pub name: &'static str,
    /// The LDAP attribute (a Boolean of dirgate's schema).
    pub ldap: &'static str,
    /// What the product documents and the console call it.
    pub label: &'static str,
    pub description: &'static str,
    /// Setting it is an appointment (`delegate`), not an ordinary change:
    /// identity providers never write it.
    pub appointment: bool,
    pub get: fn(&AccountFlags) -> bool,
    pub set: fn(&mut AccountFlags, bool),
}

/// The account flags of the product documents. The storage quota is a
/// number, not a flag, and has its own attribute everywhere.
pub const FLAGS: &[Flag] = &[
    Flag {
        name: "delegate",
        ldap: "dirgateDelegate",
        label: "Delegate",
        description: "Delegated Administrator of its organization.",
        appointment: true,
        get: |f| f.delegate,
        set: |f, v| f.delegate = v,
    },
    Flag {
        name: "unsignedContainers",
        ldap: "dirgateAllowUnsignedContainers",
        label: "Unsigned Containers",
        description: "May use unsigned containers.",
        appointment: false,
        get: |f| f.unsigned_containers,
        set: |f, v| f.unsigned_containers = v,
    },
    Flag {
        name: "releaseProtections",
        ldap: "dirgateAllowReleaseProtections",
        label: "Release Protections",
        description: "May release protections.",
        appointment: false,
        get: |f| f.release_protections,
        set: |f, v| f.release_protections = v,
    },
    Flag {
        name: "cloudRecovery",
        ldap: "dirgateCloudRecovery",
        label: "Recover",
        description: "Cloud recovery enabled.",
        appointment: false,
        get: |f| f.cloud_recovery,
        set: |f, v| f.cloud_recovery = v,
    },
    Flag {
        name: "noSecondFactor",
        ldap: "dirgateNoSecondFactor",
        label: "No 2nd Factor",
        description: "Exempt from the second factor.",
        appointment: false,
        get: |f| f.no_second_factor,
        set: |f, v| f.no_second_factor = v,
    },
];
