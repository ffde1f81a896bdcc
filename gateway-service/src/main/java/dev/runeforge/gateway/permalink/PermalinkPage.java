package dev.runeforge.gateway.permalink;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.runeforge.common.permalink.PublicRoll;

/**
 * The permalink page ({@code web/roll.html}) with a head of its own per roll: {@code <title>}, the description, and
 * the Open Graph and Twitter card tags that link previews read (chat apps, social sites), which see no script. Pure:
 * the template in, the page out; everything taken from the roll is HTML-escaped (a label is free text).
 */
final class PermalinkPage {
    private static final Pattern TITLE = Pattern.compile("\\s*<title>.*?</title>", Pattern.DOTALL);
    private static final Pattern DESCRIPTION = Pattern.compile("\\s*<meta name=\"description\"[^>]*>");
    private static final String SITE = "Rune Forge";

    private final String template;

    PermalinkPage(byte[] template) {
        this.template = new String(Objects.requireNonNull(template), StandardCharsets.UTF_8);
        if (!this.template.contains("</head>")) {
            throw new IllegalArgumentException("the permalink page has no </head> to put its tags before");
        }
    }

    /** What a preview says of a roll: a title and one sentence. */
    record Summary(String title, String description) {
    }

    /** "Ada rolled 17 for Stealth" / "1d20+5 with advantage: 17 (DC 15, passed). …" */
    static Summary of(PublicRoll roll) {
        String title = roll.name() + " rolled " + roll.total() + (roll.label() == null ? "" : " for " + roll.label());
        StringBuilder d = new StringBuilder();
        if (roll.label() != null) {
            d.append(roll.label()).append(": ");
        }
        d.append(roll.formula());
        if (roll.advantage() != null) {
            d.append(" with ").append(roll.advantage());
        }
        d.append(" = ").append(roll.total());
        if (roll.dc() != null) {
            d.append(" against DC ").append(roll.dc()).append(Boolean.TRUE.equals(roll.passed()) ? ", passed" : ", failed");
        }
        d.append('.');
        if (roll.hidden()) {
            d.append(" Rolled in secret by the DM, then revealed.");
        }
        d.append(" A dice roll signed by ").append(SITE).append(", checked in your browser.");
        return new Summary(title, d.toString());
    }

    /** The page of a roll that could not be shown (unknown, expired, a broken link, the service down). */
    static Summary missing(int status) {
        return switch (status) {
            case 400 -> new Summary("Not a roll link", "This link is not a " + SITE + " roll link. Check the link you"
                    + " were given.");
            case 404 -> new Summary("Roll not found", "This " + SITE + " roll link is wrong or has expired (roll links"
                    + " last 30 days), or the roll has not been revealed.");
            default -> new Summary("Roll unavailable", SITE + " cannot show this roll right now; try again shortly.");
        };
    }

    String render(Summary summary) {
        String title = escape(summary.title() + " · " + SITE);
        String description = escape(summary.description());
        String head = "\n  <title>" + title + "</title>"
                + "\n  <meta name=\"description\" content=\"" + description + "\">"
                + "\n  <meta property=\"og:type\" content=\"website\">"
                + "\n  <meta property=\"og:site_name\" content=\"" + SITE + "\">"
                + "\n  <meta property=\"og:title\" content=\"" + escape(summary.title()) + "\">"
                + "\n  <meta property=\"og:description\" content=\"" + description + "\">"
                + "\n  <meta name=\"twitter:card\" content=\"summary\">"
                + "\n  <meta name=\"twitter:title\" content=\"" + escape(summary.title()) + "\">"
                + "\n  <meta name=\"twitter:description\" content=\"" + description + "\">\n";
        String page = DESCRIPTION.matcher(TITLE.matcher(template).replaceFirst("")).replaceFirst("");
        int end = page.indexOf("</head>");
        return page.substring(0, end).stripTrailing() + head + page.substring(end);
    }

    /** Text for an HTML text node or a quoted attribute. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
