/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
struct work_struct { void (*func)(struct work_struct *); };
struct delayed_work { struct work_struct work; };
#define DECLARE_DELAYED_WORK(n, f) struct delayed_work n = { { f } }
#define INIT_DELAYED_WORK(w, f) ((w)->work.func = (f))
#define to_delayed_work(w) container_of(w, struct delayed_work, work)
unsigned long msecs_to_jiffies(unsigned int m);
bool schedule_delayed_work(struct delayed_work *dwork, unsigned long delay);
struct workqueue_struct;
extern struct workqueue_struct *system_unbound_wq;
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			unsigned long delay);
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD(name) struct list_head name = { &(name), &(name) }
void list_add_tail(struct list_head *new, struct list_head *head);
void INIT_LIST_HEAD(struct list_head *list);
bool list_empty(const struct list_head *head);
void list_move_tail(struct list_head *list, struct list_head *head);
void list_replace_init(struct list_head *old, struct list_head *new);
#define list_first_entry(ptr, type, member) container_of((ptr)->next, type, member)
void list_del(struct list_head *entry);
#define list_for_each_entry(pos, head, member) \
	for (pos = container_of((head)->next, __typeof__(*pos), member); \
	     &pos->member != (head); \
	     pos = container_of(pos->member.next, __typeof__(*pos), member))
void list_splice_init(struct list_head *list, struct list_head *head);
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = container_of((head)->next, __typeof__(*pos), member), \
	     n = container_of(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head); \
	     pos = n, n = container_of(n->member.next, __typeof__(*n), member))
#define list_for_each_entry_reverse(pos, head, member) \
	for (pos = container_of((head)->prev, __typeof__(*pos), member); \
	     &pos->member != (head); \
	     pos = container_of(pos->member.prev, __typeof__(*pos), member))
