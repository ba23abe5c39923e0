package io.nubo.core;

/**
 * The stable error codes of Nubo. Each is EC2's code for the same condition, with the HTTP
 * status EC2 answers it with; the EC2 and REST adapters both map from this one table.
 */
public enum ErrorCode {
    AUTH_FAILURE("AuthFailure", 401),
    UNAUTHORIZED_OPERATION("UnauthorizedOperation", 403),
    INVALID_REQUEST("InvalidRequest", 400),
    REQUEST_TOO_LARGE("RequestEntityTooLarge", 413),
    UNKNOWN_PARAMETER("UnknownParameter", 400),
    MISSING_PARAMETER("MissingParameter", 400),
    INVALID_PARAMETER_VALUE("InvalidParameterValue", 400),
    INVALID_PARAMETER_COMBINATION("InvalidParameterCombination", 400),
    INVALID_PAGINATION_TOKEN("InvalidPaginationToken", 400),
    INVALID_INSTANCE_ID_MALFORMED("InvalidInstanceID.Malformed", 400),
    INVALID_INSTANCE_ID_NOT_FOUND("InvalidInstanceID.NotFound", 400),
    INVALID_AMI_ID_MALFORMED("InvalidAMIID.Malformed", 400),
    INVALID_AMI_ID_NOT_FOUND("InvalidAMIID.NotFound", 400),
    INVALID_AMI_NAME_MALFORMED("InvalidAMIName.Malformed", 400),
    INVALID_AMI_NAME_DUPLICATE("InvalidAMIName.Duplicate", 400),
    /** A launch permission that names no valid account or group. */
    INVALID_AMI_ATTRIBUTE_ITEM_VALUE("InvalidAMIAttributeItemValue", 400),
    /** Nubo's own: a disk image refused for what is in it (a backing file, a truncated file, too large, ...). */
    INVALID_DISK_IMAGE("InvalidDiskImage", 400),
    /** S3's code: an upload whose content does not match the SHA-256 the client sent. */
    BAD_DIGEST("BadDigest", 400),
    /** Nubo's own: no storage pool has room for the file (a capacity error, as InsufficientInstanceCapacity is). */
    INSUFFICIENT_STORAGE_CAPACITY("InsufficientStorageCapacity", 500),
    INVALID_HOST_ID_NOT_FOUND("InvalidHostID.NotFound", 400),
    INVALID_JOIN_TOKEN_ID_NOT_FOUND("InvalidJoinTokenID.NotFound", 400),
    INVALID_ACCOUNT_ID_NOT_FOUND("InvalidAccountID.NotFound", 400),
    INVALID_ACCESS_KEY_ID_NOT_FOUND("InvalidAccessKeyId.NotFound", 400),
    INVALID_EVENT_ID_NOT_FOUND("InvalidEventID.NotFound", 400),
    INVALID_ACCOUNT_NAME_DUPLICATE("InvalidAccountName.Duplicate", 400),
    INVALID_KEY_PAIR_NOT_FOUND("InvalidKeyPair.NotFound", 400),
    INVALID_KEY_PAIR_DUPLICATE("InvalidKeyPair.Duplicate", 400),
    INVALID_KEY_FORMAT("InvalidKey.Format", 400),
    INVALID_BLOCK_DEVICE_MAPPING("InvalidBlockDeviceMapping", 400),
    SECURITY_GROUPS_PER_INTERFACE_LIMIT_EXCEEDED("SecurityGroupsPerInterfaceLimitExceeded", 400),
    INVALID_PLACEMENT_GROUP_UNKNOWN("InvalidPlacementGroup.Unknown", 400),
    INVALID_PLACEMENT_GROUP_DUPLICATE("InvalidPlacementGroup.Duplicate", 400),
    INVALID_PLACEMENT_GROUP_IN_USE("InvalidPlacementGroup.InUse", 400),
    INVALID_PLACEMENT_GROUP_ID_MALFORMED("InvalidPlacementGroupId.Malformed", 400),
    INVALID_GROUP_ID_MALFORMED("InvalidGroupId.Malformed", 400),
    INVALID_GROUP_NOT_FOUND("InvalidGroup.NotFound", 400),
    INVALID_GROUP_DUPLICATE("InvalidGroup.Duplicate", 400),
    INVALID_PERMISSION_DUPLICATE("InvalidPermission.Duplicate", 400),
    INVALID_PERMISSION_NOT_FOUND("InvalidPermission.NotFound", 400),
    INVALID_PERMISSION_MALFORMED("InvalidPermission.Malformed", 400),
    INVALID_SECURITY_GROUP_RULE_ID_MALFORMED("InvalidSecurityGroupRuleId.Malformed", 400),
    INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND("InvalidSecurityGroupRuleId.NotFound", 400),
    RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED("RulesPerSecurityGroupLimitExceeded", 400),
    CANNOT_DELETE("CannotDelete", 400),
    DEPENDENCY_VIOLATION("DependencyViolation", 400),
    INVALID_VPC_ID_MALFORMED("InvalidVpcID.Malformed", 400),
    INVALID_VPC_ID_NOT_FOUND("InvalidVpcID.NotFound", 400),
    INVALID_SUBNET_ID_MALFORMED("InvalidSubnetID.Malformed", 400),
    INVALID_SUBNET_ID_NOT_FOUND("InvalidSubnetID.NotFound", 400),
    INVALID_ID("InvalidID", 400),
    TAG_LIMIT_EXCEEDED("TagLimitExceeded", 400),
    INVALID_INSTANCE_TYPE("InvalidInstanceType", 400),
    IDEMPOTENT_PARAMETER_MISMATCH("IdempotentParameterMismatch", 400),
    INVALID_ACTION("InvalidAction", 400),
    NO_SUCH_VERSION("NoSuchVersion", 400),
    REQUEST_EXPIRED("RequestExpired", 400),
    /** A DryRun request that would have succeeded. */
    DRY_RUN_OPERATION("DryRunOperation", 412),
    INCORRECT_INSTANCE_STATE("IncorrectInstanceState", 400),
    /** Volumes (EBS): an ID that is not {@code vol-} and hex digits, one that names no volume of the caller's. */
    INVALID_VOLUME_ID_MALFORMED("InvalidVolumeID.Malformed", 400),
    INVALID_VOLUME_NOT_FOUND("InvalidVolume.NotFound", 400),
    /** A volume and an instance in different availability zones. */
    INVALID_VOLUME_ZONE_MISMATCH("InvalidVolume.ZoneMismatch", 400),
    /** Attaching an attached (not multi-attach) volume, or deleting an attached one. */
    VOLUME_IN_USE("VolumeInUse", 400),
    /** A volume (or its attachment) is not in a state that allows the operation. */
    INCORRECT_STATE("IncorrectState", 400),
    UNKNOWN_VOLUME_TYPE("UnknownVolumeType", 400),
    /** Detaching a volume from an instance it is not attached to. */
    INVALID_ATTACHMENT_NOT_FOUND("InvalidAttachment.NotFound", 400),
    /** Too many volumes on one instance, or too many instances on one multi-attach volume. */
    ATTACHMENT_LIMIT_EXCEEDED("AttachmentLimitExceeded", 400),
    /** No storage pool has room for the volume (EC2's code; a capacity error, as InsufficientInstanceCapacity is). */
    INSUFFICIENT_VOLUME_CAPACITY("InsufficientVolumeCapacity", 500),
    /** A volume modification while the previous one is still in progress. */
    INCORRECT_MODIFICATION_STATE("IncorrectModificationState", 400),
    /** Snapshots: an ID that is not {@code snap-} and hex digits, one that names no snapshot of the caller's. */
    INVALID_SNAPSHOT_ID_MALFORMED("InvalidSnapshotID.Malformed", 400),
    INVALID_SNAPSHOT_NOT_FOUND("InvalidSnapshot.NotFound", 400),
    /** Deleting a snapshot that a volume being created from it still reads. */
    INVALID_SNAPSHOT_IN_USE("InvalidSnapshot.InUse", 400),
    /** The account's volume count or volume GiB quota would be exceeded. */
    VOLUME_LIMIT_EXCEEDED("VolumeLimitExceeded", 400),
    /** The account's snapshot count or snapshot GiB quota would be exceeded. */
    SNAPSHOT_LIMIT_EXCEEDED("SnapshotLimitExceeded", 400),
    INSTANCE_LIMIT_EXCEEDED("InstanceLimitExceeded", 400),
    /** EC2's code for any other resource quota: here the number of images an account owns. */
    RESOURCE_LIMIT_EXCEEDED("ResourceLimitExceeded", 400),
    INSUFFICIENT_INSTANCE_CAPACITY("InsufficientInstanceCapacity", 500),
    /** The zone's default subnet has no private address left for the account's new instances. */
    INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET("InsufficientFreeAddressesInSubnet", 400),
    VCPU_LIMIT_EXCEEDED("VcpuLimitExceeded", 400),
    /** Nubo's own: EC2 has no memory quota. */
    MEMORY_LIMIT_EXCEEDED("MemoryLimitExceeded", 400),
    INVALID_INVOICE_ID_MALFORMED("InvalidInvoiceID.Malformed", 400),
    INVALID_INVOICE_ID_NOT_FOUND("InvalidInvoiceID.NotFound", 400),
    /** A change that would alter a billing month whose invoices are closed. */
    BILLING_PERIOD_CLOSED("BillingPeriodClosed", 400),
    NOT_FOUND("NotFound", 404),
    METHOD_NOT_ALLOWED("MethodNotAllowed", 405),
    UNSUPPORTED_OPERATION("UnsupportedOperation", 400),
    /** EC2's answer for an instance type not offered where the launch asks: here, no host runs it at all. */
    UNSUPPORTED("Unsupported", 400),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503),
    /** An account's EC2 request rate is over its token bucket's: clients retry with backoff. */
    REQUEST_LIMIT_EXCEEDED("RequestLimitExceeded", 503),
    /** Portal users: an unknown (or another account's) user, and a taken e-mail. */
    INVALID_USER_ID_NOT_FOUND("InvalidUserID.NotFound", 400),
    INVALID_USER_DUPLICATE("InvalidUser.Duplicate", 400),
    /** Too many failed log-ins in a row: try again later. */
    TOO_MANY_REQUESTS("TooManyRequests", 429),
    INTERNAL_ERROR("InternalError", 500);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The EC2 error code, e.g. {@code InvalidInstanceID.NotFound}. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
