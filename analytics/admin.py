from django.contrib import admin

# The admin's home page gains a link to the analytics dashboard; the template extends the stock
# admin/index.html, so everything else on that page stays as Django draws it.
admin.site.index_template = "analytics/admin_index.html"
