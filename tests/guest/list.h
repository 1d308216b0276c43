/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guests' list files (/tests.list, /mm-selftests.list): one entry per
 * line, words separated by blanks, '#' comments and blank lines skipped.
 * What the words mean is each reader's business; this only splits them.
 */
#ifndef PTE_REF_LIST_H
#define PTE_REF_LIST_H

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define LIST_MAX_WORDS	40

struct list_entry {
	char *word[LIST_MAX_WORDS + 1];	/* NULL after the last */
};

/*
 * Read @path into @buf, which the entries then point into, and split it
 * into at most @max entries.  Returns their number, or -1 with @why set if
 * the file cannot be read, is larger than @buf, or has too many entries
 * or a line with too many words: a list is never half read.
 */
static inline int list_load(const char *path, char *buf, size_t size,
			    struct list_entry *e, int max, const char **why)
{
	char *line, *save, *word, *wsave;
	int n = 0, fd;
	ssize_t len;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		*why = "cannot open it";
		return -1;
	}
	len = read(fd, buf, size);
	close(fd);
	if (len < 0 || (size_t)len == size) {
		*why = len < 0 ? "cannot read it" : "it is too large";
		return -1;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int nwords = 0;

		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if (n == max) {
			*why = "it has too many entries";
			return -1;
		}
		for (word = strtok_r(line, " \t", &wsave); word;
		     word = strtok_r(NULL, " \t", &wsave)) {
			if (nwords == LIST_MAX_WORDS) {
				*why = "a line has too many words";
				return -1;
			}
			e[n].word[nwords++] = word;
		}
		e[n++].word[nwords] = NULL;
	}
	return n;
}

/* The value of @word if it is "@key=value", else NULL. */
static inline char *list_option(char *word, const char *key)
{
	size_t len = strlen(key);

	if (word && !strncmp(word, key, len) && word[len] == '=')
		return word + len + 1;
	return NULL;
}

/* Is @word in the comma-separated @list? */
static inline bool listed(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : "")
		if (!strncmp(p, word, len) && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

#endif /* PTE_REF_LIST_H */
