package io.nubo.core;

import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.filter.Wildcard;
import io.nubo.core.model.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterSetTest {
    record Thing(String name, List<String> groups, List<Tag> tags) {
    }

    static final FilterSet<Thing> SET = FilterSet.<Thing>builder().one("name", Thing::name).many("group", Thing::groups)
            .tags(Thing::tags).build();
    static final Thing WEB = new Thing("web-1", List.of("a", "b"), List.of(new Tag("env", "prod"), new Tag("Name", "web")));
    static final Thing DB = new Thing("db-1", List.of("b"), List.of(new Tag("env", "test")));

    @Test
    void wildcardsMatchAnyRunOrOneCharacterAndBackslashEscapesThem() {
        assertThat(Wildcard.matches("web-*", "web-1")).isTrue();
        assertThat(Wildcard.matches("web-?", "web-10")).isFalse();
        assertThat(Wildcard.matches("*-*-*", "a-b-c")).isTrue();
        assertThat(Wildcard.matches("*", "")).isTrue();
        assertThat(Wildcard.matches("a\\*", "a*")).isTrue();
        assertThat(Wildcard.matches("a\\*", "ab")).isFalse();
        assertThat(Wildcard.matches("Web", "web")).as("case-sensitive").isFalse();
        assertThat(Wildcard.has("a\\*b")).isFalse();
        assertThat(Wildcard.literal("a\\*b")).isEqualTo("a*b");
    }

    @Test
    void filtersAreAndedAcrossAndOredWithinIncludingTagFilters() {
        List<Thing> all = List.of(WEB, DB);
        assertThat(SET.apply(all, List.of(new Filter("name", List.of("web-*", "db-1"))))).containsExactly(WEB, DB);
        assertThat(SET.apply(all, List.of(new Filter("group", List.of("a"))))).containsExactly(WEB);
        assertThat(SET.apply(all, List.of(new Filter("group", List.of("b")), new Filter("tag:env", List.of("test"))))).containsExactly(DB);
        assertThat(SET.apply(all, List.of(new Filter("tag-key", List.of("Name"))))).containsExactly(WEB);
        assertThat(SET.apply(all, List.of(new Filter("tag-value", List.of("pro?"))))).containsExactly(WEB);
        assertThat(SET.apply(all, List.of())).containsExactly(WEB, DB);
    }

    @Test
    void anUnknownFilterIsAnInvalidParameterValue() {
        for (String name : List.of("colour", "tag:", "tag")) {
            assertThatThrownBy(() -> SET.compile(List.of(new Filter(name, List.of("x"))))).isInstanceOfSatisfying(NuboException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        }
    }

    @Test
    void printableTextExcludesControlCharactersAndLoneSurrogates() {
        assertThat(Text.printable("héllo wörld 🎉")).isTrue();
        assertThat(Text.printable("a\nb")).isFalse();
        assertThat(Text.printable("a\u0000")).isFalse();
        assertThat(Text.printable("\ud800")).isFalse();
        assertThat(Text.printable("\u0085")).isFalse();
    }
}
