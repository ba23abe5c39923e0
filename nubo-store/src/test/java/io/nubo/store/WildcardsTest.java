package io.nubo.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WildcardsTest {
    @Test
    void starAndQuestionMarkBecomeLikeWildcardsAndLikeMetacharactersAreEscaped() {
        assertThat(Wildcards.toLike("web-*")).isEqualTo("web-%");
        assertThat(Wildcards.toLike("db?")).isEqualTo("db_");
        assertThat(Wildcards.toLike("100%_!")).isEqualTo("100!%!_!!");
        assertThat(Wildcards.has("plain")).isFalse();
        assertThat(Wildcards.has("a*")).isTrue();
    }

    @Test
    void aBackslashMakesAWildcardLiteral() {
        assertThat(Wildcards.toLike("a\\*b*")).isEqualTo("a*b%");
        assertThat(Wildcards.has("a\\*")).isFalse();
        assertThat(Wildcards.literal("a\\?")).isEqualTo("a?");
    }
}
