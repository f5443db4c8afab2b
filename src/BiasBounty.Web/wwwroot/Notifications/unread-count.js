// Sets the navigation's unread badge (rendered once per request by the static layout) from an interactive page that
// learned of a new notification, e.g. the live verdict page when the verdict arrives.
window.biasBountyUnread = function (count, text) {
    for (const badge of document.querySelectorAll('[data-testid="unread-count"]')) {
        badge.textContent = text;
        badge.setAttribute('aria-label', count + ' unread');
        badge.classList.toggle('text-bg-warning', count > 0);
        badge.classList.toggle('text-bg-secondary', count <= 0);
    }
};
