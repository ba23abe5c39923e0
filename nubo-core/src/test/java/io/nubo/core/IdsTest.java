package io.nubo.core;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IdsTest {
    @Test
    void newIdsHaveEc2sFormatAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Ids.next(Ids.INSTANCE);
            assertThat(id).matches("i-[0-9a-f]{17}");
            assertThat(seen.add(id)).isTrue();
        }
        assertThat(Ids.next(Ids.IMAGE)).matches("ami-[0-9a-f]{17}");
        assertThat(Ids.next(Ids.RESERVATION)).matches("r-[0-9a-f]{17}");
    }

    @Test
    void wellFormedAcceptsLongAndShortHexAndRejectsEverythingElse() {
        assertThat(Ids.isWellFormed("i", "i-0123456789abcdef0")).isTrue();
        assertThat(Ids.isWellFormed("i", "i-01234567")).isTrue();
        assertThat(Ids.isWellFormed("i", "i-0123456789ABCDEF0")).isFalse();
        assertThat(Ids.isWellFormed("i", "i-0123456789abcdefg")).isFalse();
        assertThat(Ids.isWellFormed("i", "i-123")).isFalse();
        assertThat(Ids.isWellFormed("i", "ami-0123456789abcdef0")).isFalse();
        assertThat(Ids.isWellFormed("i", "")).isFalse();
        assertThat(Ids.isWellFormed("i", null)).isFalse();
    }

    @Test
    void accountIdsAreTwelveDigitsAndKeysLookLikeAwsKeys() {
        assertThat(Ids.nextAccountId()).matches("[1-9]\\d{11}");
        assertThat(Ids.isAccountId("123456789012")).isTrue();
        assertThat(Ids.isAccountId("12345678901a")).isFalse();
        assertThat(Ids.nextAccessKeyId()).matches("NK[A-Z2-7]{18}");
        assertThat(Ids.nextSecret()).hasSize(40);
    }
}
