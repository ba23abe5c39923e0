package io.nubo.store;

import org.jdbi.v3.core.Handle;

/** The repositories, all bound to one handle (and so to one transaction). Not thread-safe. */
public final class Store {
    private final Handle handle;

    Store(Handle handle) {
        this.handle = handle;
    }

    public Accounts accounts() {
        return new Accounts(handle);
    }

    public AccessKeys accessKeys() {
        return new AccessKeys(handle);
    }

    public InstanceTypes instanceTypes() {
        return new InstanceTypes(handle);
    }

    public Images images() {
        return new Images(handle);
    }

    public StoragePools storagePools() {
        return new StoragePools(handle);
    }

    public ImageImports imageImports() {
        return new ImageImports(handle);
    }

    public ImageCaptures imageCaptures() {
        return new ImageCaptures(handle);
    }

    public LaunchPermissions launchPermissions() {
        return new LaunchPermissions(handle);
    }

    public HostEnrollments hostEnrollments() {
        return new HostEnrollments(handle);
    }

    public Volumes volumes() {
        return new Volumes(handle);
    }

    public Snapshots snapshots() {
        return new Snapshots(handle);
    }

    public VolumeAttachments volumeAttachments() {
        return new VolumeAttachments(handle);
    }

    public RootDisks rootDisks() {
        return new RootDisks(handle);
    }

    public Hosts hosts() {
        return new Hosts(handle);
    }

    public Migrations migrations() {
        return new Migrations(handle);
    }

    public Instances instances() {
        return new Instances(handle);
    }

    public KeyPairs keyPairs() {
        return new KeyPairs(handle);
    }

    public PlacementGroups placementGroups() {
        return new PlacementGroups(handle);
    }

    public ZoneWeighers zoneWeighers() {
        return new ZoneWeighers(handle);
    }

    public Vpcs vpcs() {
        return new Vpcs(handle);
    }

    public Subnets subnets() {
        return new Subnets(handle);
    }

    public SecurityGroups securityGroups() {
        return new SecurityGroups(handle);
    }

    public SecurityGroupRules securityGroupRules() {
        return new SecurityGroupRules(handle);
    }

    public Tags tags() {
        return new Tags(handle);
    }

    public InstancePages instancePages() {
        return new InstancePages(handle);
    }

    public InstanceAddresses instanceAddresses() {
        return new InstanceAddresses(handle);
    }

    public ClientTokens clientTokens() {
        return new ClientTokens(handle);
    }

    public Events events() {
        return new Events(handle);
    }

    public MeterCursor meterCursor() {
        return new MeterCursor(handle);
    }

    public MeterStates meterStates() {
        return new MeterStates(handle);
    }

    public UsageRecords usageRecords() {
        return new UsageRecords(handle);
    }

    public Prices prices() {
        return new Prices(handle);
    }

    public Invoices invoices() {
        return new Invoices(handle);
    }

    public Quotas quotas() {
        return new Quotas(handle);
    }

    public Partners partners() {
        return new Partners(handle);
    }

    public Budgets budgets() {
        return new Budgets(handle);
    }

    public WebhookDeliveries webhookDeliveries() {
        return new WebhookDeliveries(handle);
    }

    public Handle handle() {
        return handle;
    }
}
