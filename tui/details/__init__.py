"""What a detail shows for each kind of item, read through ``db`` and laid
out as blocks (``tui.widgets.detail.Block``). Every function here runs in a
thread worker: it reads the case and builds blocks; none touches a widget."""
