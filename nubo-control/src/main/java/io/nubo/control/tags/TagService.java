package io.nubo.control.tags;

import io.nubo.control.compute.ComputeService;
import io.nubo.control.query.Paging;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceTag;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import io.nubo.store.Database;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tags on every taggable resource of an account: create, delete, describe. Every change is all or
 * nothing: if one resource is unknown or one tag invalid, nothing is written. Thread-safe.
 */
public final class TagService {
    private static final FilterSet<ResourceTag> FILTERS = FilterSet.<ResourceTag>builder()
            .one("key", ResourceTag::key)
            .one("value", ResourceTag::value)
            .one("resource-id", ResourceTag::resourceId)
            .one("resource-type", t -> t.resourceType().apiName())
            .build();

    private final Database db;
    private final Clock clock;

    public TagService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A tag to delete: by key, and only if its value is {@code value} when that is given. */
    public record Removal(String key, Optional<String> value) {
    }

    public void create(Principal caller, List<String> resourceIds, List<Tag> tags) {
        requireResources(resourceIds);
        if (tags.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter Tag");
        }
        Tagging.validate(tags);
        db.inTransaction(s -> {
            Map<String, ResourceType> resolved = resolveAll(s, caller, resourceIds);
            resolved.forEach((id, type) -> Tagging.apply(s, caller.accountId(), id, type, tags));
            s.events().append(clock.instant(), caller.accountId(), resourceIds.get(0), "tags.created", null, null,
                    tags.size() + " tag(s) on " + resolved.size() + " resource(s) by " + caller.accessKeyId());
            return null;
        });
    }

    /** Deletes the given tags, or every tag of the resources when {@code tags} is empty. */
    public void delete(Principal caller, List<String> resourceIds, List<Removal> tags) {
        requireResources(resourceIds);
        tags.forEach(t -> Tagging.validateKey(t.key()));
        db.inTransaction(s -> {
            Map<String, ResourceType> resolved = resolveAll(s, caller, resourceIds);
            resolved.forEach((id, type) -> {
                List<Removal> removals = tags.isEmpty()
                        ? s.tags().keys(caller.accountId(), id).stream().map(k -> new Removal(k, Optional.empty())).toList()
                        : tags;
                removals.forEach(r -> Tagging.remove(s, caller.accountId(), id, type, r.key(), r.value().orElse(null)));
            });
            s.events().append(clock.instant(), caller.accountId(), resourceIds.get(0), "tags.deleted", null, null,
                    "tags of " + resolved.size() + " resource(s) by " + caller.accessKeyId());
            return null;
        });
    }

    public Page<ResourceTag> describe(Principal caller, List<Filter> filters, PageRequest page) {
        var matching = FILTERS.compile(filters);
        Paging.checkBounds(page, 5, 1000);
        List<ResourceTag> all = new ArrayList<>(db.read(s -> s.tags().list(caller.accountId(), visibleSince())).stream()
                .filter(matching).toList());
        all.sort(Comparator.comparing(TagService::pageKey));
        return Paging.page(all, TagService::pageKey, page, 5, 1000);
    }

    private static String pageKey(ResourceTag t) {
        return t.resourceId() + '\u0000' + t.key();
    }

    private Map<String, ResourceType> resolveAll(io.nubo.store.Store s, Principal caller, List<String> resourceIds) {
        Map<String, ResourceType> out = new LinkedHashMap<>();
        for (String id : resourceIds) {
            out.put(id, Tagging.resolve(s, caller.accountId(), id, visibleSince()));
        }
        return out;
    }

    private static void requireResources(List<String> resourceIds) {
        if (resourceIds.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter ResourceId");
        }
        if (resourceIds.size() > 1000) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "At most 1000 resources can be tagged at once");
        }
    }

    private Instant visibleSince() {
        return clock.instant().minus(ComputeService.TERMINATED_VISIBILITY);
    }
}
