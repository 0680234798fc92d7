"""The panes: a list of one kind of item beside the detail of the item under
its cursor. Each pane reads its rows through a feed (a view over paged SQL
in ``db``) and draws them with its kind's row function. Panes know nothing
of the details' layouts, the screens or the app: what a pane shows is handed
to it (``tui.kinds``)."""
