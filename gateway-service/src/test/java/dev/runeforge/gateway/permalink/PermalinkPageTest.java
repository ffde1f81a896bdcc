package dev.runeforge.gateway.permalink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;

import dev.runeforge.common.permalink.PublicRoll;
import org.junit.jupiter.api.Test;

class PermalinkPageTest {
    private static byte[] template() throws Exception {
        try (InputStream in = PermalinkPageTest.class.getClassLoader().getResourceAsStream("web/roll.html")) {
            return in.readAllBytes();
        }
    }

    private static PublicRoll roll(String label, String advantage, Integer dc, boolean hidden) {
        List<PublicRoll.Term> terms = List.of(new PublicRoll.Term(1, 2, 20, "2d20kh1", List.of(
                new PublicRoll.Die(12, true, false), new PublicRoll.Die(3, false, false)), 12));
        return new PublicRoll(PublicRoll.VERSION, "AbCdEfGhIjKlMn_-", "r", "O'Neil", "1d20+5", terms, 5, 17, dc,
                dc == null ? null : 17 >= dc, hidden, 1L, hidden ? 2L : null, label, advantage);
    }

    @Test
    void aRollsPageSaysWhoRolledWhatInItsLinkPreviewTags() throws Exception {
        String page = new PermalinkPage(template()).render(PermalinkPage.of(roll("Stealth", "advantage", 15, false)));
        assertTrue(page.contains("<meta property=\"og:title\" content=\"O&#39;Neil rolled 17 for Stealth\">"), page);
        assertTrue(page.contains("<meta property=\"og:description\" content=\"Stealth: 1d20+5 with advantage = 17"
                + " against DC 15, passed."), page);
        assertTrue(page.contains("<meta name=\"twitter:card\" content=\"summary\">"));
        assertTrue(page.contains("<meta name=\"twitter:title\" content=\"O&#39;Neil rolled 17 for Stealth\">"));
        assertTrue(page.contains("<title>O&#39;Neil rolled 17 for Stealth · Rune Forge</title>"));
        assertEquals(1, page.split("<title>", -1).length - 1, "one title");
        assertEquals(1, page.split("name=\"description\"", -1).length - 1, "one description");
        assertTrue(page.indexOf("og:title") < page.indexOf("</head>"));
        assertTrue(page.contains("<script type=\"module\" src=\"/roll.js\"></script>"), "the page itself is intact");
    }

    @Test
    void freeTextIsEscapedNeverMarkup() throws Exception {
        String label = "\"><script>alert(1)</script>&";
        String page = new PermalinkPage(template()).render(PermalinkPage.of(roll(label, null, null, true)));
        assertFalse(page.contains("<script>alert"), page);
        assertTrue(page.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"), page);
        assertTrue(page.contains("Rolled in secret by the DM, then revealed."));
    }

    @Test
    void aMissingRollHasAHeadThatSaysSo() throws Exception {
        String page = new PermalinkPage(template()).render(PermalinkPage.missing(404));
        assertTrue(page.contains("<meta property=\"og:title\" content=\"Roll not found\">"), page);
        assertTrue(PermalinkPage.missing(400).title().contains("Not a roll link"));
        assertTrue(PermalinkPage.missing(503).title().contains("unavailable"));
    }
}
