package io.nubo.api.ec2.action;

import io.nubo.api.ec2.query.Params;
import io.nubo.control.tags.TagService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.util.ArrayList;
import java.util.List;

/** Readers for the parameter shapes many actions share: filters, pages, tags and tag specifications. Stateless. */
final class Inputs {
    private Inputs() {
    }

    /** {@code Filter.N.Name} and {@code Filter.N.Value.M}. */
    static List<Filter> filters(Params p) {
        List<Filter> out = new ArrayList<>();
        for (Params f : p.structs("Filter")) {
            String name = f.required("Name");
            List<String> values = f.strings("Value");
            if (values.isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The filter '%s' needs at least one value (%s)", name,
                        f.fullName("Value.1"));
            }
            out.add(new Filter(name, values));
        }
        return out;
    }

    /** {@code MaxResults} and {@code NextToken}; an empty token counts as none. */
    static PageRequest page(Params p) {
        return new PageRequest(p.integer("MaxResults"), p.nonEmpty("NextToken"));
    }

    /** {@code <name>.N.Key} and {@code <name>.N.Value}; a missing value is the empty string. */
    static List<Tag> tags(Params p, String name) {
        List<Tag> out = new ArrayList<>();
        for (Params t : p.structs(name)) {
            out.add(new Tag(t.required("Key"), t.string("Value").orElse("")));
        }
        return out;
    }

    /** DeleteTags' {@code Tag.N.Key} with an optional {@code Tag.N.Value}. */
    static List<TagService.Removal> removals(Params p) {
        List<TagService.Removal> out = new ArrayList<>();
        for (Params t : p.structs("Tag")) {
            out.add(new TagService.Removal(t.required("Key"), t.string("Value")));
        }
        return out;
    }

    /** The tags of {@code TagSpecification.N} for a resource of {@code type}; specifications for other types are refused. */
    static List<Tag> tagSpecifications(Params p, ResourceType type) {
        List<Tag> out = new ArrayList<>();
        for (Params spec : p.structs("TagSpecification")) {
            String resourceType = spec.required("ResourceType");
            if (!resourceType.equals(type.apiName())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "'%s' is not a valid taggable resource type for this operation: use '%s'", resourceType, type.apiName());
            }
            List<Tag> tags = tags(spec, "Tag");
            if (tags.isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Tag specifications need at least one tag (%s)",
                        spec.fullName("Tag.1.Key"));
            }
            out.addAll(tags);
        }
        return out;
    }

    /** Refuses tag specifications where Nubo keeps no tags (security group rules). */
    static void noTagSpecifications(Params p, String what) {
        if (p.struct("TagSpecification").isPresent()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not keep tags on %s", what);
        }
    }
}
