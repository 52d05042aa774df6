"""What the commands do, one module per area; imported only when a command runs
(``bot.cli.lazy``), so each may import what its work needs."""
