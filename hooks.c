// SPDX-License-Identifier: GPL-2.0
/* Recognising the usual iptables kill-switch hooks of a wg-quick file (hooks.h). */
#include <string.h>

#include "hooks.h"

#define HOOK_TEXT_MAX 512	/* the pair is ~230 characters */
#define WORDS_MAX 64		/* two commands of 21 words and separators */

/* Every word of one command after "CMD OP". */
static const char *const rule[] = {
	"OUTPUT", "!", "-o", "%i", "-m", "mark", "!", "--mark", "$(wg", "show", "%i",
	"fwmark)", "-m", "addrtype", "!", "--dst-type", "LOCAL", "-j", "REJECT",
};
#define RULE_WORDS (2 + sizeof(rule) / sizeof(rule[0]))

/*
 * The words of text, in buf (three times its length), cut at blanks;
 * ";" and "&&" are words of their own even where no blank surrounds them,
 * as bash reads them. The number of words, or -1 if too many.
 */
static int split_words(const char *text, char *buf, const char *words[WORDS_MAX])
{
	char *out = buf, *s;
	int n = 0;

	for (; *text; text++) {
		if (*text == ';' || (text[0] == '&' && text[1] == '&')) {
			*out++ = ' ';
			*out++ = *text;
			if (*text == '&')
				*out++ = *++text;
			*out++ = ' ';
		} else {
			*out++ = *text == '\t' ? ' ' : *text;
		}
	}
	*out = '\0';
	for (s = strtok_r(buf, " ", &out); s; s = strtok_r(NULL, " ", &out)) {
		if (n == WORDS_MAX)
			return -1;
		words[n++] = s;
	}
	return n;
}

/* One command at words[0..RULE_WORDS): its program, or NULL if not the rule. */
static const char *match_rule(const char *const *words, const char *op1, const char *op2)
{
	size_t i;

	if (strcmp(words[0], "iptables") && strcmp(words[0], "ip6tables"))
		return NULL;
	if (strcmp(words[1], op1) && (!op2 || strcmp(words[1], op2)))
		return NULL;
	for (i = 0; i < RULE_WORDS - 2; i++)
		if (strcmp(words[2 + i], rule[i]))
			return NULL;
	return words[0];
}

static bool is_separator(const char *w)
{
	return !strcmp(w, "&&") || !strcmp(w, ";");
}

bool hook_is_killswitch(enum hook_when when, const char *text)
{
	const char *words[WORDS_MAX], *first, *second;
	const char *op1 = when == HOOK_POST_UP ? "-I" : "-D";
	const char *op2 = when == HOOK_POST_UP ? "-A" : NULL;
	char buf[3 * HOOK_TEXT_MAX];
	int n;

	if (when == HOOK_PRE_UP || when >= HOOK_COUNT || strlen(text) >= HOOK_TEXT_MAX)
		return false;
	n = split_words(text, buf, words);
	if (n > 0 && !strcmp(words[n - 1], ";"))
		n--;		/* a ";" at the end */
	if (n == (int)RULE_WORDS)
		return match_rule(words, op1, op2) != NULL;
	if (n != (int)(2 * RULE_WORDS + 1) || !is_separator(words[RULE_WORDS]))
		return false;
	first = match_rule(words, op1, op2);
	second = match_rule(words + RULE_WORDS + 1, op1, op2);
	/* Both families once each, with the same operation. */
	return first && second && strcmp(first, second) &&
	       !strcmp(words[1], words[RULE_WORDS + 2]);
}
