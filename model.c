// SPDX-License-Identifier: GPL-2.0
/* Releasing the data model (model.h), key material wiped on the way out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int notes_add(char ***notes, size_t *n, const char *line)
{
	char **tmp, *copy;

	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	tmp = realloc(*notes, (*n + 1) * sizeof(**notes));
	if (!tmp) {
		free(copy);
		return -ENOMEM;
	}
	tmp[(*n)++] = copy;
	*notes = tmp;
	return 0;
}

static void notes_free(char **notes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(notes[i]);
	free(notes);
}

void config_free(struct wgphys_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->ifaces);
	free(cfg->wpa_pattern);
	free(cfg->tunnel_config);
	free(cfg->private_key_file);
	notes_free(cfg->notes, cfg->n_notes);
	free(cfg);
}

static void peer_release(struct wg_peer *peer)
{
	free(peer->endpoint_host);
	free(peer->allowedips);
}

void wgconf_free(struct wg_config *wg)
{
	size_t i;

	if (!wg)
		return;
	for (i = 0; i < wg->n_peers; i++)
		peer_release(&wg->peers[i]);
	if (wg->peers)
		explicit_bzero(wg->peers, wg->n_peers * sizeof(*wg->peers));
	free(wg->peers);
	for (i = 0; i < wg->n_dns_search; i++)
		free(wg->dns_search[i]);
	free(wg->dns_search);
	free(wg->dns);
	free(wg->addrs);
	notes_free(wg->notes, wg->n_notes);
	explicit_bzero(wg, sizeof(*wg));
	free(wg);
}
